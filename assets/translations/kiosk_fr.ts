<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>AuthorizingScreen</name>
    <message>
        <source>Checking your payment</source>
        <translation>Vérification de votre paiement</translation>
    </message>
    <message>
        <source>Please leave your card on the terminal until it beeps.</source>
        <translation>Laissez votre carte sur le terminal jusqu’au bip.</translation>
    </message>
    <message>
        <source>Checking your charging card.</source>
        <translation>Vérification de votre carte de recharge.</translation>
    </message>
    <message>
        <source>Confirming the payment from your phone.</source>
        <translation>Confirmation du paiement depuis votre téléphone.</translation>
    </message>
    <message>
        <source>This usually takes a few seconds.</source>
        <translation>Cela prend généralement quelques secondes.</translation>
    </message>
</context>
<context>
    <name>ChargingScreen</name>
    <message>
        <source>Charging at point %1</source>
        <translation>Recharge au point %1</translation>
    </message>
    <message>
        <source>Your car has stopped charging</source>
        <translation>Votre voiture ne charge plus</translation>
    </message>
    <message>
        <source>Your car is full at point %1.</source>
        <translation>Votre voiture est pleine au point %1.</translation>
    </message>
    <message>
        <source>Your car paused charging at point %1; it may go on by itself.</source>
        <translation>Votre voiture a mis la recharge en pause au point %1 ; elle peut reprendre d’elle-même.</translation>
    </message>
    <message>
        <source>You can leave your car and stop here at any time.</source>
        <translation>Vous pouvez laisser votre véhicule et arrêter la recharge ici à tout moment.</translation>
    </message>
    <message>
        <source>To stop, use the stop code of this session or tap the same charging card.</source>
        <translation>Pour arrêter, saisissez le code d’arrêt de cette session ou présentez la même carte de recharge.</translation>
    </message>
    <message>
        <source>No idle fee here, but please unplug so others can charge.</source>
        <translation>Pas de frais d’occupation ici, mais débranchez pour laisser recharger les autres.</translation>
    </message>
    <message>
        <source>Idle fee from %1 unless you unplug.</source>
        <translation>Frais d’occupation à partir de %1 si vous ne débranchez pas.</translation>
    </message>
    <message>
        <source>The idle fee is running since %1.</source>
        <translation>Les frais d’occupation courent depuis %1.</translation>
    </message>
    <message>
        <source>Idle fee: %1 per minute, at most %2, for blocking the charging point after charging.</source>
        <translation>Frais d’occupation : %1 par minute, au maximum %2, si le point reste occupé après la recharge.</translation>
    </message>
    <message>
        <source>Idle fee: %1 per minute for blocking the charging point after charging.</source>
        <translation>Frais d’occupation : %1 par minute si le point reste occupé après la recharge.</translation>
    </message>
    <message>
        <source>Cost so far</source>
        <translation>Coût actuel</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Énergie</translation>
    </message>
    <message>
        <source>Power</source>
        <translation>Puissance</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Durée</translation>
    </message>
    <message>
        <source>Battery</source>
        <translation>Batterie</translation>
    </message>
    <message>
        <source>%1 left of this session&apos;s %2 limit on your account</source>
        <translation>Il reste %1 sur la limite de %2 de cette session sur votre compte</translation>
    </message>
    <message>
        <source>%1 left of the %2 reserved for your phone payment</source>
        <translation>Il reste %1 sur les %2 réservés pour votre paiement mobile</translation>
    </message>
    <message>
        <source>%1 left of the %2 reserved on your card</source>
        <translation>Il reste %1 sur les %2 réservés sur votre carte</translation>
    </message>
    <message>
        <source>%1 left of the %2 reserved</source>
        <translation type="vanished">Reste %1 sur les %2 réservés</translation>
    </message>
    <message>
        <source>Your stop code</source>
        <translation>Votre code d’arrêt</translation>
    </message>
    <message>
        <source>Note it down: it stops this session here later.</source>
        <translation>Notez-le&#xa0;: il permet d’arrêter cette session ici plus tard.</translation>
    </message>
    <message>
        <source>Charging power</source>
        <translation>Puissance de charge</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Vue d’ensemble</translation>
    </message>
    <message>
        <source>Stop charging</source>
        <translation>Arrêter la recharge</translation>
    </message>
</context>
<context>
    <name>CodeEntry</name>
    <message>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
    <message>
        <source>This code does not match. 1 try left, then the pad pauses.</source>
        <translation>Ce code ne correspond pas. Encore 1 essai, puis le clavier se met en pause.</translation>
    </message>
    <message>
        <source>This code does not match. %1 tries left, then the pad pauses.</source>
        <translation>Ce code ne correspond pas. Encore %1 essais, puis le clavier se met en pause.</translation>
    </message>
    <message>
        <source>Too many wrong codes. Try again in %1.</source>
        <translation>Trop de codes erronés. Réessayez dans %1.</translation>
    </message>
    <message>
        <source>No recent session was paid with this card.</source>
        <translation>Aucune recharge récente n’a été payée avec cette carte.</translation>
    </message>
    <message>
        <source>This is the stop code of charging point %1. Stop the session there?</source>
        <translation>C’est le code d’arrêt du point de recharge %1. Arrêter la recharge là-bas ?</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Non</translation>
    </message>
    <message>
        <source>Stop point %1</source>
        <translation>Arrêter %1</translation>
    </message>
</context>
<context>
    <name>ConfirmStop</name>
    <message>
        <source>Stop charging now?</source>
        <translation>Arrêter la recharge maintenant ?</translation>
    </message>
    <message>
        <source>Cost so far: %1.</source>
        <translation>Coût actuel : %1.</translation>
    </message>
    <message>
        <source>A stopped session cannot be resumed: charging again needs a new payment.</source>
        <translation>Une recharge arrêtée ne reprend pas : recharger à nouveau demande un nouveau paiement.</translation>
    </message>
    <message>
        <source>Keep charging</source>
        <translation>Continuer</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Arrêter</translation>
    </message>
</context>
<context>
    <name>ConnectorCard</name>
    <message>
        <source>Not charging</source>
        <translation>Ne charge pas</translation>
    </message>
    <message>
        <source>Charging point %1</source>
        <translation>Point de recharge %1</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Énergie</translation>
    </message>
    <message>
        <source>Power</source>
        <translation>Puissance</translation>
    </message>
    <message>
        <source>Cost so far</source>
        <translation>Coût actuel</translation>
    </message>
    <message>
        <source>Idle fee from %1 unless the car is unplugged</source>
        <translation>Frais d’occupation dès %1 si la voiture reste branchée</translation>
    </message>
    <message>
        <source>Last receipt</source>
        <translation>Dernier reçu</translation>
    </message>
    <message>
        <source>Start charging here</source>
        <translation>Recharger ici</translation>
    </message>
    <message>
        <source>View or stop this session</source>
        <translation>Voir ou arrêter cette session</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Détails</translation>
    </message>
</context>
<context>
    <name>DeclinedScreen</name>
    <message>
        <source>Payment not accepted</source>
        <translation>Paiement refusé</translation>
    </message>
    <message>
        <source>Charging card not accepted</source>
        <translation>Carte de recharge refusée</translation>
    </message>
    <message>
        <source>Your charging account has no credit left.</source>
        <translation>Votre compte de recharge n’a plus de crédit.</translation>
    </message>
    <message>
        <source>This charging card is blocked.</source>
        <translation>Cette carte de recharge est bloquée.</translation>
    </message>
    <message>
        <source>This charging card is not known here.</source>
        <translation>Cette carte de recharge n’est pas reconnue ici.</translation>
    </message>
    <message>
        <source>This charging card has expired.</source>
        <translation>Cette carte de recharge a expiré.</translation>
    </message>
    <message>
        <source>Your charging card could not be checked just now.</source>
        <translation>Votre carte de recharge n’a pas pu être vérifiée pour le moment.</translation>
    </message>
    <message>
        <source>This charging card was refused.</source>
        <translation>Cette carte de recharge a été refusée.</translation>
    </message>
    <message>
        <source>There is not enough money for this phone payment.</source>
        <translation>Le solde est insuffisant pour ce paiement mobile.</translation>
    </message>
    <message>
        <source>The payment method on your phone is blocked.</source>
        <translation>Le moyen de paiement de votre téléphone est bloqué.</translation>
    </message>
    <message>
        <source>The payment method on your phone has expired.</source>
        <translation>Le moyen de paiement de votre téléphone a expiré.</translation>
    </message>
    <message>
        <source>The payment service could not be reached.</source>
        <translation>Le service de paiement est injoignable.</translation>
    </message>
    <message>
        <source>Your phone payment was declined.</source>
        <translation>Votre paiement mobile a été refusé.</translation>
    </message>
    <message>
        <source>There is not enough money on the card.</source>
        <translation>Le solde de la carte est insuffisant.</translation>
    </message>
    <message>
        <source>This bank card is blocked.</source>
        <translation>Cette carte bancaire est bloquée.</translation>
    </message>
    <message>
        <source>This card could not be read.</source>
        <translation>Cette carte n’a pas pu être lue.</translation>
    </message>
    <message>
        <source>The payment was cancelled at the terminal.</source>
        <translation>Le paiement a été annulé sur le terminal.</translation>
    </message>
    <message>
        <source>The PIN was wrong.</source>
        <translation>Le code PIN était erroné.</translation>
    </message>
    <message>
        <source>This card type is not accepted here.</source>
        <translation>Ce type de carte n’est pas accepté ici.</translation>
    </message>
    <message>
        <source>The card&apos;s limit does not allow this amount.</source>
        <translation>Le plafond de la carte ne permet pas ce montant.</translation>
    </message>
    <message>
        <source>The card could not be read. Please try again.</source>
        <translation>La carte n’a pas pu être lue. Veuillez réessayer.</translation>
    </message>
    <message>
        <source>No card was presented in time.</source>
        <translation>Aucune carte n’a été présentée à temps.</translation>
    </message>
    <message>
        <source>The terminal is busy. Please try again.</source>
        <translation>Le terminal est occupé. Veuillez réessayer.</translation>
    </message>
    <message>
        <source>This bank card has expired.</source>
        <translation>Cette carte bancaire a expiré.</translation>
    </message>
    <message>
        <source>The card was declined by the bank.</source>
        <translation>La banque a refusé la carte.</translation>
    </message>
    <message>
        <source>Nothing has been charged.</source>
        <translation>Aucun montant n’a été débité.</translation>
    </message>
    <message>
        <source>Please contact the company that issued your charging card, or pay by bank card or phone instead.</source>
        <translation>Contactez l’émetteur de votre carte de recharge, ou payez plutôt par carte bancaire ou par téléphone.</translation>
    </message>
    <message>
        <source>You can try again on your phone, pay by bank card, or check your payment app.</source>
        <translation>Réessayez sur votre téléphone, payez par carte bancaire ou vérifiez votre application de paiement.</translation>
    </message>
    <message>
        <source>You can try another card or pay by phone, or ask your bank.</source>
        <translation>Essayez une autre carte, payez par téléphone ou renseignez-vous auprès de votre banque.</translation>
    </message>
    <message>
        <source>You can try another card or another way to pay, or ask your bank or card issuer.</source>
        <translation type="vanished">Essayez une autre carte ou un autre moyen de paiement, ou contactez votre banque ou l’émetteur de la carte.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
    <message>
        <source>Try another way to pay</source>
        <translation>Autre moyen de paiement</translation>
    </message>
</context>
<context>
    <name>DevPanel</name>
    <message>
        <source>Developer panel</source>
        <translation>Panneau développeur</translation>
    </message>
    <message>
        <source>Developer panel (demo)</source>
        <translation>Panneau développeur (démo)</translation>
    </message>
    <message>
        <source>RFID reader: tap a card</source>
        <translation>Lecteur RFID&#xa0;: présenter une carte</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>Membre</translation>
    </message>
    <message>
        <source>Fleet</source>
        <translation>Flotte</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Personnel</translation>
    </message>
    <message>
        <source>Blocked</source>
        <translation>Bloquée</translation>
    </message>
    <message>
        <source>A bank card</source>
        <translation>Une carte bancaire</translation>
    </message>
    <message>
        <source>Unreadable</source>
        <translation>Illisible</translation>
    </message>
    <message>
        <source>Terminal: present a bank card</source>
        <translation>Terminal&#xa0;: présenter une carte bancaire</translation>
    </message>
    <message>
        <source>Visa declined</source>
        <translation>Visa refusée</translation>
    </message>
    <message>
        <source>MC no funds</source>
        <translation>MC sans provision</translation>
    </message>
    <message>
        <source>girocard, PIN</source>
        <translation>girocard, PIN</translation>
    </message>
    <message>
        <source>PIN wrong</source>
        <translation>PIN erroné</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Expirée</translation>
    </message>
    <message>
        <source>Not accepted</source>
        <translation>Non acceptée</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Téléphone</translation>
    </message>
    <message>
        <source>QR checkout paid</source>
        <translation>Paiement QR effectué</translation>
    </message>
    <message>
        <source>Car and charger</source>
        <translation>Véhicule et borne</translation>
    </message>
    <message>
        <source>Plug in</source>
        <translation>Brancher</translation>
    </message>
    <message>
        <source>Unplug</source>
        <translation>Débrancher</translation>
    </message>
    <message>
        <source>Fault</source>
        <translation>Panne</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Effacer</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>Backend</translation>
    </message>
    <message>
        <source>Go online</source>
        <translation>Passer en ligne</translation>
    </message>
    <message>
        <source>Go offline</source>
        <translation>Passer hors ligne</translation>
    </message>
</context>
<context>
    <name>ErrorScreen</name>
    <message>
        <source>That did not work</source>
        <translation>Cela n’a pas fonctionné</translation>
    </message>
    <message>
        <source>The station could not complete this step.</source>
        <translation>La borne n’a pas pu terminer cette étape.</translation>
    </message>
    <message>
        <source>Please try again. If it happens again, please contact %1.</source>
        <translation>Veuillez réessayer. Si le problème persiste, contactez %1.</translation>
    </message>
    <message>
        <source>Back to start</source>
        <translation>Retour à l’accueil</translation>
    </message>
</context>
<context>
    <name>FaultedScreen</name>
    <message>
        <source>Charging point %1 has a fault</source>
        <translation>Le point de recharge %1 est en panne</translation>
    </message>
    <message>
        <source>Please use another charging point. The operator has been notified.</source>
        <translation>Veuillez utiliser un autre point de recharge. L’exploitant a été prévenu.</translation>
    </message>
    <message>
        <source>Reported by the charger</source>
        <translation>Signalé par la borne</translation>
    </message>
    <message>
        <source>For your safety this charging point is switched off. If a session was running, it has been stopped and you only pay for the energy you received.</source>
        <translation>Pour votre sécurité, ce point de recharge est coupé. Une recharge en cours a été arrêtée et vous ne payez que l’énergie reçue.</translation>
    </message>
    <message>
        <source>Back to all charging points</source>
        <translation>Retour aux points de recharge</translation>
    </message>
</context>
<context>
    <name>FinishingScreen</name>
    <message>
        <source>Charging stopped</source>
        <translation>Recharge terminée</translation>
    </message>
    <message>
        <source>Please unplug your car and hang the cable back. Your receipt follows.</source>
        <translation>Débranchez votre véhicule et raccrochez le câble. Votre reçu s’affichera ensuite.</translation>
    </message>
    <message>
        <source>Stopped with your charging card.</source>
        <translation>Arrêtée avec votre carte de recharge.</translation>
    </message>
    <message>
        <source>Stopped with your stop code.</source>
        <translation>Arrêtée avec votre code d’arrêt.</translation>
    </message>
    <message>
        <source>Stopped as you asked.</source>
        <translation>Arrêtée comme demandé.</translation>
    </message>
    <message>
        <source>Cost: %1.</source>
        <translation>Coût : %1.</translation>
    </message>
    <message>
        <source>Unplug within %1 to avoid the idle fee.</source>
        <translation>Débranchez d’ici %1 pour éviter les frais d’occupation.</translation>
    </message>
    <message>
        <source>The idle fee is running.</source>
        <translation>Les frais d’occupation s’appliquent.</translation>
    </message>
    <message>
        <source>Idle fee: %1 per minute, at most %2, for blocking the charging point after charging.</source>
        <translation>Frais d’occupation&#xa0;: %1 par minute, au maximum %2, si le point reste occupé après la recharge.</translation>
    </message>
    <message>
        <source>Idle fee: %1 per minute for blocking the charging point after charging.</source>
        <translation>Frais d’occupation&#xa0;: %1 par minute si le point reste occupé après la recharge.</translation>
    </message>
    <message>
        <source>No idle fee: the station stopped this session. Please unplug when you can.</source>
        <translation>Pas de frais d’occupation : la borne a arrêté la recharge. Débranchez dès que possible.</translation>
    </message>
    <message>
        <source>No idle fee here, but others may be waiting to charge.</source>
        <translation>Pas de frais d’occupation ici, mais d’autres attendent peut-être.</translation>
    </message>
    <message>
        <source>Stopped by the charger: %1</source>
        <translation>Arrêtée par la borne&#xa0;: %1</translation>
    </message>
    <message>
        <source>Cost so far</source>
        <translation>Coût actuel</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Énergie</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Durée</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Vue d’ensemble</translation>
    </message>
</context>
<context>
    <name>GetReceiptScreen</name>
    <message>
        <source>Get a receipt</source>
        <translation>Obtenir un reçu</translation>
    </message>
    <message>
        <source>Type the stop code of your session, or tap the charging card you paid with. Receipts of the last 24 hours.</source>
        <translation>Saisissez le code d’arrêt de votre recharge ou présentez la carte de recharge utilisée. Reçus des dernières 24 heures.</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Afficher</translation>
    </message>
    <message>
        <source>Paid with a charging card? Hold it to the reader.</source>
        <translation>Payé avec une carte de recharge ? Présentez-la au lecteur.</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Vue d’ensemble</translation>
    </message>
</context>
<context>
    <name>HeaderBar</name>
    <message>
        <source>High contrast</source>
        <translation>Contraste élevé</translation>
    </message>
    <message>
        <source>Reach mode: all controls in the lower part of the screen</source>
        <translation>Mode accessible&#xa0;: toutes les commandes en bas de l’écran</translation>
    </message>
</context>
<context>
    <name>HintBanner</name>
    <message>
        <source>This is a bank card: please use the card terminal below the screen. Nothing was read from it.</source>
        <translation>C’est une carte bancaire : veuillez utiliser le terminal de paiement sous l’écran. Rien n’a été lu sur la carte.</translation>
    </message>
    <message>
        <source>This card could not be read. Please hold it flat on the reader until the screen changes.</source>
        <translation>La carte n’a pas pu être lue. Tenez-la à plat sur le lecteur jusqu’à ce que l’écran change.</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>EV charging</source>
        <translation>Recharge de véhicules électriques</translation>
    </message>
    <message>
        <source>Reach mode is on: every control is in the lower part of the screen.</source>
        <translation>Mode accessible activé&#xa0;: toutes les commandes sont en bas de l’écran.</translation>
    </message>
    <message>
        <source>Tap the reach button again to use the whole screen.</source>
        <translation>Touchez à nouveau le bouton du mode accessible pour utiliser tout l’écran.</translation>
    </message>
</context>
<context>
    <name>OfflineBanner</name>
    <message>
        <source>Offline</source>
        <translation>Hors ligne</translation>
    </message>
    <message>
        <source>Charging and payment by card still work. Paying by phone is not available right now.</source>
        <translation>La recharge et le paiement par carte restent possibles. Le paiement par téléphone est momentanément indisponible.</translation>
    </message>
</context>
<context>
    <name>OfflineScreen</name>
    <message>
        <source>Charging point %1 is not responding</source>
        <translation>Le point de recharge %1 ne répond pas</translation>
    </message>
    <message>
        <source>We are trying to reconnect. Please use another charging point for now.</source>
        <translation>Nous tentons de rétablir la connexion. Utilisez un autre point de recharge en attendant.</translation>
    </message>
    <message>
        <source>Back to all charging points</source>
        <translation>Retour aux points de recharge</translation>
    </message>
</context>
<context>
    <name>OutOfServiceScreen</name>
    <message>
        <source>This charging station is out of service</source>
        <translation>Cette borne de recharge est hors service</translation>
    </message>
    <message>
        <source>Charging point %1 is out of service</source>
        <translation>Le point de recharge %1 est hors service</translation>
    </message>
    <message>
        <source>Please use another charging point. We are sorry for the inconvenience.</source>
        <translation>Veuillez utiliser un autre point de recharge. Nous vous prions de nous excuser.</translation>
    </message>
    <message>
        <source>Its storage is full, so it cannot record charging sessions and payments.</source>
        <translation>Sa mémoire est pleine : elle ne peut pas enregistrer les recharges ni les paiements.</translation>
    </message>
    <message>
        <source>Its storage cannot be written, so it cannot record charging sessions and payments.</source>
        <translation>Sa mémoire est en lecture seule : elle ne peut pas enregistrer les recharges ni les paiements.</translation>
    </message>
    <message>
        <source>Its records are damaged, so it cannot record charging sessions and payments.</source>
        <translation>Ses enregistrements sont endommagés : elle ne peut pas enregistrer les recharges ni les paiements.</translation>
    </message>
    <message>
        <source>Another program is using its records.</source>
        <translation>Un autre programme utilise ses enregistrements.</translation>
    </message>
    <message>
        <source>It cannot record charging sessions and payments right now.</source>
        <translation>Elle ne peut pas enregistrer les recharges ni les paiements pour le moment.</translation>
    </message>
    <message>
        <source>The station tries again by itself. No payment is taken meanwhile; a session that was running has been stopped, and you only pay for the energy recorded.</source>
        <translation>La borne réessaie d’elle-même. Aucun paiement n’est accepté en attendant ; une recharge en cours a été arrêtée et vous ne payez que l’énergie enregistrée.</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Exploitant</translation>
    </message>
    <message>
        <source>Back to all charging points</source>
        <translation>Retour aux points de recharge</translation>
    </message>
</context>
<context>
    <name>OverviewScreen</name>
    <message>
        <source>Choose a charging point</source>
        <translation>Choisissez un point de recharge</translation>
    </message>
    <message>
        <source>You see the full price before you start. All prices include VAT.</source>
        <translation>Vous voyez le prix complet avant de commencer. Tous les prix sont TTC.</translation>
    </message>
    <message>
        <source>Pay with</source>
        <translation>Payer par</translation>
    </message>
    <message>
        <source>Charging card</source>
        <translation>Carte de recharge</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>Carte bancaire</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Téléphone</translation>
    </message>
    <message>
        <source>Get a receipt</source>
        <translation>Obtenir un reçu</translation>
    </message>
</context>
<context>
    <name>PaymentScreen</name>
    <message>
        <source>How would you like to pay?</source>
        <translation>Comment souhaitez-vous payer&#xa0;?</translation>
    </message>
    <message>
        <source>Charging point %1</source>
        <translation>Point de recharge %1</translation>
    </message>
    <message>
        <source>Charging card or key fob</source>
        <translation>Carte de recharge ou badge</translation>
    </message>
    <message>
        <source>For members and fleets. Billed to your account.</source>
        <translation>Pour les membres et les flottes. Facturé sur votre compte.</translation>
    </message>
    <message>
        <source>The card reader is not connected</source>
        <translation>Le lecteur de cartes n’est pas connecté</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>Carte bancaire</translation>
    </message>
    <message>
        <source>Debit or credit card, contactless or chip, or your phone&apos;s wallet.</source>
        <translation>Carte de débit ou de crédit, sans contact ou à puce, ou portefeuille mobile.</translation>
    </message>
    <message>
        <source>Reserved: %1</source>
        <translation>Réservé&#xa0;: %1</translation>
    </message>
    <message>
        <source>The card terminal is not available right now</source>
        <translation>Le terminal de paiement n’est pas disponible pour le moment</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Téléphone</translation>
    </message>
    <message>
        <source>Scan a QR code and pay on your phone.</source>
        <translation>Scannez un code QR et payez sur votre téléphone.</translation>
    </message>
    <message>
        <source>Not available while offline</source>
        <translation>Indisponible hors ligne</translation>
    </message>
    <message>
        <source>A reserved amount is only held, not charged: you pay what you use, the rest is released when you unplug.</source>
        <translation>Un montant réservé est seulement bloqué, pas débité&#xa0;: vous payez ce que vous consommez, le reste est libéré au débranchement.</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Retour</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
</context>
<context>
    <name>PlugInScreen</name>
    <message>
        <source>Plug in your car</source>
        <translation>Branchez votre véhicule</translation>
    </message>
    <message>
        <source>Payment accepted. Take the cable of charging point %1 and plug it into your car.</source>
        <translation>Paiement accepté. Prenez le câble du point de recharge %1 et branchez-le sur votre véhicule.</translation>
    </message>
    <message>
        <source>to plug in</source>
        <translation>pour brancher</translation>
    </message>
    <message>
        <source>Charging starts by itself. If no car is plugged in before the time runs out, we cancel and release your payment.</source>
        <translation>La recharge démarre automatiquement. Si aucun véhicule n’est branché avant la fin du délai, nous annulons et libérons votre paiement.</translation>
    </message>
    <message>
        <source>Cancel and release payment</source>
        <translation>Annuler et libérer le paiement</translation>
    </message>
</context>
<context>
    <name>PowerChart</name>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 h</translation>
    </message>
    <message>
        <source>Charging power over time</source>
        <translation>Puissance de charge dans le temps</translation>
    </message>
</context>
<context>
    <name>PriceExample</name>
    <message>
        <source>Example: a charge starting now</source>
        <translation>Exemple : une recharge à partir de maintenant</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 h %2 min</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 kWh at %2 kW, about %3</source>
        <translation>%1 kWh à %2 kW, environ %3</translation>
    </message>
    <message>
        <source>From %1 during this charge: %2 %3</source>
        <translation>À partir de %1 pendant cette recharge : %2 %3</translation>
    </message>
    <message>
        <source>From %1 during this charge: %2</source>
        <translation>À partir de %1 pendant cette recharge : %2</translation>
    </message>
    <message>
        <source>An estimate: your car decides how fast it charges. You pay what the meter measures.</source>
        <translation>Une estimation : votre voiture décide de la vitesse de recharge. Vous payez ce que mesure le compteur.</translation>
    </message>
</context>
<context>
    <name>PriceScreen</name>
    <message>
        <source>Price at charging point %1</source>
        <translation>Prix au point de recharge %1</translation>
    </message>
    <message>
        <source>This is what you pay. Nothing is charged before you start.</source>
        <translation>Voici ce que vous payez. Rien n’est débité avant le démarrage.</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>Maintenant</translation>
    </message>
    <message>
        <source>Member price</source>
        <translation>Tarif membres</translation>
    </message>
    <message>
        <source>Pay with your charging card to get it.</source>
        <translation>Payez avec votre carte de recharge pour en bénéficier.</translation>
    </message>
    <message>
        <source>How paying works</source>
        <translation>Comment fonctionne le paiement</translation>
    </message>
    <message>
        <source>Bank card: we reserve %1 and charge only what you use.</source>
        <translation>Carte bancaire&#xa0;: nous réservons %1 et ne débitons que votre consommation.</translation>
    </message>
    <message>
        <source>Phone: we reserve %1 and charge only what you use.</source>
        <translation>Téléphone&#xa0;: nous réservons %1 et ne débitons que votre consommation.</translation>
    </message>
    <message>
        <source>Charging card: billed to your account.</source>
        <translation>Carte de recharge&#xa0;: facturé sur votre compte.</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Retour</translation>
    </message>
    <message>
        <source>Continue to payment</source>
        <translation>Continuer vers le paiement</translation>
    </message>
</context>
<context>
    <name>QrScreen</name>
    <message>
        <source>Pay with your phone</source>
        <translation>Payer avec votre téléphone</translation>
    </message>
    <message>
        <source>Scan the code with your phone&apos;s camera and pay on the page that opens.</source>
        <translation>Scannez le code avec l’appareil photo de votre téléphone et payez sur la page qui s’ouvre.</translation>
    </message>
    <message>
        <source>QR code for the payment page</source>
        <translation>Code QR de la page de paiement</translation>
    </message>
    <message>
        <source>code valid</source>
        <translation>validité</translation>
    </message>
    <message>
        <source>Open the camera and point it at the code.</source>
        <translation>Ouvrez l’appareil photo et visez le code.</translation>
    </message>
    <message>
        <source>Pay on the page that opens. We reserve %1.</source>
        <translation>Payez sur la page qui s’ouvre. Nous réservons %1.</translation>
    </message>
    <message>
        <source>Charging starts when you plug in.</source>
        <translation>La recharge démarre dès que vous branchez.</translation>
    </message>
    <message>
        <source>Other payment</source>
        <translation>Autre paiement</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
</context>
<context>
    <name>ReceiptScreen</name>
    <message>
        <source>Thank you for charging</source>
        <translation>Merci pour votre recharge</translation>
    </message>
    <message>
        <source>Here is your receipt. Your payment has been settled.</source>
        <translation>Voici votre reçu. Votre paiement est réglé.</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Énergie</translation>
    </message>
    <message>
        <source>Plugged in</source>
        <translation>Branché</translation>
    </message>
    <message>
        <source>Receipt %1</source>
        <translation>Reçu %1</translation>
    </message>
    <message>
        <source>incl. VAT %1</source>
        <translation>dont TVA %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1 : %2</translation>
    </message>
    <message>
        <source>Stopped: %1</source>
        <translation>Arrêt : %1</translation>
    </message>
    <message>
        <source>Paid with %1</source>
        <translation>Payé avec %1</translation>
    </message>
    <message>
        <source>QR code for the e-receipt</source>
        <translation>Code QR du reçu électronique</translation>
    </message>
    <message>
        <source>Your e-receipt</source>
        <translation>Votre reçu électronique</translation>
    </message>
    <message>
        <source>Scan the code to download the receipt as a PDF.</source>
        <translation>Scannez le code pour télécharger le reçu en PDF.</translation>
    </message>
    <message>
        <source>This screen closes in %1.</source>
        <translation>Cet écran se ferme dans %1.</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Terminé</translation>
    </message>
</context>
<context>
    <name>StopCodePad</name>
    <message>
        <source>Stop this session</source>
        <translation>Arrêter cette recharge</translation>
    </message>
    <message>
        <source>Enter the 6-digit stop code shown when the session started, or tap the same charging card on the reader.</source>
        <translation>Saisissez le code d’arrêt à 6 chiffres affiché au démarrage, ou présentez la même carte de recharge au lecteur.</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="vanished">Arrêter</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
</context>
<context>
    <name>Store</name>
    <message>
        <source>Type 2</source>
        <translation>Type 2</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>Disponible</translation>
    </message>
    <message>
        <source>Charging</source>
        <translation>En charge</translation>
    </message>
    <message>
        <source>Charging finished</source>
        <translation>Charge terminée</translation>
    </message>
    <message>
        <source>Out of service</source>
        <translation>Hors service</translation>
    </message>
    <message>
        <source>Fault</source>
        <translation>Panne</translation>
    </message>
    <message>
        <source>Not responding</source>
        <translation>Ne répond pas</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Démarrage…</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>Occupé</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Énergie</translation>
    </message>
    <message>
        <source>Charging time</source>
        <translation>Temps de charge</translation>
    </message>
    <message>
        <source>Parking</source>
        <translation>Stationnement</translation>
    </message>
    <message>
        <source>Session fee</source>
        <translation>Frais de session</translation>
    </message>
    <message>
        <source>Idle fee</source>
        <translation>Frais d’occupation</translation>
    </message>
    <message>
        <source>Minimum price</source>
        <translation>Prix minimum</translation>
    </message>
    <message>
        <source>Maximum price</source>
        <translation>Prix maximum</translation>
    </message>
    <message>
        <source>The card was declined by the bank.</source>
        <translation>La banque a refusé la carte.</translation>
    </message>
    <message>
        <source>There is not enough money on the card.</source>
        <translation>Le solde de la carte est insuffisant.</translation>
    </message>
    <message>
        <source>This charging card is blocked.</source>
        <translation>Cette carte de recharge est bloquée.</translation>
    </message>
    <message>
        <source>This charging card is not known here.</source>
        <translation>Cette carte de recharge n’est pas reconnue ici.</translation>
    </message>
    <message>
        <source>This charging card was refused.</source>
        <translation>Cette carte de recharge a été refusée.</translation>
    </message>
    <message>
        <source>This code does not match a running session.</source>
        <translation type="vanished">Ce code ne correspond à aucune recharge en cours.</translation>
    </message>
    <message>
        <source>This charging point is busy.</source>
        <translation>Ce point de recharge est occupé.</translation>
    </message>
    <message>
        <source>Choose this way to pay first.</source>
        <translation>Choisissez d’abord ce moyen de paiement.</translation>
    </message>
    <message>
        <source>This way to pay is not available right now.</source>
        <translation>Ce moyen de paiement n’est pas disponible pour le moment.</translation>
    </message>
    <message>
        <source>No charging session is running at this charging point.</source>
        <translation>Aucune recharge n’est en cours à ce point.</translation>
    </message>
    <message>
        <source>The charger could not start. Your payment is released.</source>
        <translation>La borne n’a pas pu démarrer. Votre paiement est libéré.</translation>
    </message>
    <message>
        <source>Residual current detected.</source>
        <translation>Courant de défaut détecté.</translation>
    </message>
</context>
<context>
    <name>TerminalScreen</name>
    <message>
        <source>Pay by bank card</source>
        <translation>Payer par carte bancaire</translation>
    </message>
    <message>
        <source>Cancelling the payment at the terminal…</source>
        <translation>Annulation du paiement sur le terminal…</translation>
    </message>
    <message>
        <source>Enter your PIN on the terminal.</source>
        <translation>Saisissez votre code PIN sur le terminal.</translation>
    </message>
    <message>
        <source>Wrong PIN. Please enter it again on the terminal.</source>
        <translation>Code PIN erroné. Veuillez le saisir à nouveau sur le terminal.</translation>
    </message>
    <message>
        <source>The terminal is checking your card with your bank…</source>
        <translation>Le terminal vérifie votre carte auprès de votre banque…</translation>
    </message>
    <message>
        <source>Please take your card from the terminal.</source>
        <translation>Veuillez retirer votre carte du terminal.</translation>
    </message>
    <message>
        <source>Please follow the instructions on the terminal.</source>
        <translation>Veuillez suivre les instructions du terminal.</translation>
    </message>
    <message>
        <source>Insert or tap your card on the terminal below.</source>
        <translation>Insérez ou présentez votre carte sur le terminal ci-dessous.</translation>
    </message>
    <message>
        <source>The terminal is below the screen</source>
        <translation>Le terminal se trouve sous l’écran</translation>
    </message>
    <message>
        <source>The terminal shows: %1</source>
        <translation>Le terminal affiche : %1</translation>
    </message>
    <message>
        <source>We reserve %1 on your card. When you unplug, we charge only what you used and release the rest.</source>
        <translation>Nous réservons %1 sur votre carte. Au débranchement, nous ne débitons que votre consommation et libérons le reste.</translation>
    </message>
    <message>
        <source>This screen closes in %1 if nothing happens.</source>
        <translation>Sans action, cet écran se ferme dans %1.</translation>
    </message>
    <message>
        <source>Other payment</source>
        <translation>Autre paiement</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
</context>
<context>
    <name>TimeoutScreen</name>
    <message>
        <source>Time ran out</source>
        <translation>Délai écoulé</translation>
    </message>
    <message>
        <source>No car was plugged in, so we stopped waiting.</source>
        <translation>Aucune voiture n’a été branchée, nous avons donc cessé d’attendre.</translation>
    </message>
    <message>
        <source>Nothing happened for a while, so we stopped waiting.</source>
        <translation>Rien ne s’est passé pendant un moment, nous avons donc arrêté d’attendre.</translation>
    </message>
    <message>
        <source>This session was cancelled: nothing is billed to your charging account.</source>
        <translation>Cette session a été annulée : rien n’est facturé sur votre compte de recharge.</translation>
    </message>
    <message>
        <source>No charging card was presented: nothing is billed.</source>
        <translation>Aucune carte de recharge n’a été présentée : rien n’est facturé.</translation>
    </message>
    <message>
        <source>The amount reserved for your phone payment has been released.</source>
        <translation>Le montant réservé pour votre paiement mobile a été libéré.</translation>
    </message>
    <message>
        <source>The payment code has expired and nothing was paid.</source>
        <translation>Le code de paiement a expiré et rien n’a été payé.</translation>
    </message>
    <message>
        <source>The amount reserved on your card has been released. Your bank may take a few days to show it.</source>
        <translation>Le montant réservé sur votre carte a été libéré. Votre banque peut mettre quelques jours à l’afficher.</translation>
    </message>
    <message>
        <source>No card was presented: nothing was reserved.</source>
        <translation>Aucune carte n’a été présentée : rien n’a été réservé.</translation>
    </message>
    <message>
        <source>Nothing has been charged.</source>
        <translation>Aucun montant n’a été débité.</translation>
    </message>
    <message>
        <source>You can start again whenever you are ready.</source>
        <translation>Vous pouvez recommencer quand vous le souhaitez.</translation>
    </message>
    <message>
        <source>Any amount reserved on your card has been released. You can start again whenever you are ready.</source>
        <translation type="vanished">Tout montant réservé sur votre carte a été libéré. Vous pouvez recommencer quand vous voulez.</translation>
    </message>
    <message>
        <source>Start again</source>
        <translation>Recommencer</translation>
    </message>
</context>
<context>
    <name>WaitCardScreen</name>
    <message>
        <source>Tap your charging card</source>
        <translation>Présentez votre carte de recharge</translation>
    </message>
    <message>
        <source>Hold your card or key fob flat on the reader below the screen.</source>
        <translation>Tenez votre carte ou votre badge à plat sur le lecteur sous l’écran.</translation>
    </message>
    <message>
        <source>The reader is below the screen</source>
        <translation>Le lecteur se trouve sous l’écran</translation>
    </message>
    <message>
        <source>This screen closes in %1 if nothing happens.</source>
        <translation>Sans action, cet écran se ferme dans %1.</translation>
    </message>
    <message>
        <source>Other payment</source>
        <translation>Autre paiement</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuler</translation>
    </message>
</context>
</TS>
