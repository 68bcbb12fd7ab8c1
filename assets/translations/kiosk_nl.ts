<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="nl_NL">
<context>
    <name>AuthorizingScreen</name>
    <message>
        <source>Checking your payment</source>
        <translation>Uw betaling wordt gecontroleerd</translation>
    </message>
    <message>
        <source>Please leave your card on the terminal until it beeps.</source>
        <translation>Houd uw kaart bij de terminal tot u een piep hoort.</translation>
    </message>
    <message>
        <source>Checking your charging card.</source>
        <translation>Uw laadpas wordt gecontroleerd.</translation>
    </message>
    <message>
        <source>Confirming the payment from your phone.</source>
        <translation>De betaling met uw telefoon wordt bevestigd.</translation>
    </message>
    <message>
        <source>This usually takes a few seconds.</source>
        <translation>Dit duurt meestal maar een paar seconden.</translation>
    </message>
</context>
<context>
    <name>ChargingScreen</name>
    <message>
        <source>Charging at point %1</source>
        <translation>Laden bij laadpunt %1</translation>
    </message>
    <message>
        <source>Your car has stopped charging</source>
        <translation>Uw auto laadt niet meer</translation>
    </message>
    <message>
        <source>Your car is full at point %1.</source>
        <translation>Uw auto is vol bij laadpunt %1.</translation>
    </message>
    <message>
        <source>Your car paused charging at point %1; it may go on by itself.</source>
        <translation>Uw auto heeft het laden bij laadpunt %1 onderbroken; het kan vanzelf verder laden.</translation>
    </message>
    <message>
        <source>You can leave your car and stop here at any time.</source>
        <translation>U kunt uw auto achterlaten en hier op elk moment stoppen.</translation>
    </message>
    <message>
        <source>To stop, use the stop code of this session or tap the same charging card.</source>
        <translation>Stop met de stopcode van deze sessie of houd dezelfde laadpas bij de lezer.</translation>
    </message>
    <message>
        <source>No idle fee here, but please unplug so others can charge.</source>
        <translation>Hier geen blokkeertarief, maar koppel los zodat anderen kunnen laden.</translation>
    </message>
    <message>
        <source>Idle fee from %1 unless you unplug.</source>
        <translation>Blokkeertarief vanaf %1 als u niet loskoppelt.</translation>
    </message>
    <message>
        <source>The idle fee is running since %1.</source>
        <translation>Het blokkeertarief loopt sinds %1.</translation>
    </message>
    <message>
        <source>Idle fee: %1 per minute, at most %2, for blocking the charging point after charging.</source>
        <translation>Blokkeertarief: %1 per minuut, maximaal %2, als het laadpunt na het laden bezet blijft.</translation>
    </message>
    <message>
        <source>Idle fee: %1 per minute for blocking the charging point after charging.</source>
        <translation>Blokkeertarief: %1 per minuut als het laadpunt na het laden bezet blijft.</translation>
    </message>
    <message>
        <source>Cost so far</source>
        <translation>Kosten tot nu toe</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Energie</translation>
    </message>
    <message>
        <source>Power</source>
        <translation>Vermogen</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Tijd</translation>
    </message>
    <message>
        <source>Battery</source>
        <translation>Accu</translation>
    </message>
    <message>
        <source>%1 left of this session&apos;s %2 limit on your account</source>
        <translation>Nog %1 over van de limiet van %2 voor deze sessie op uw account</translation>
    </message>
    <message>
        <source>%1 left of the %2 reserved for your phone payment</source>
        <translation>Nog %1 over van de %2 gereserveerd voor uw betaling met de telefoon</translation>
    </message>
    <message>
        <source>%1 left of the %2 reserved on your card</source>
        <translation>Nog %1 over van de %2 gereserveerd op uw kaart</translation>
    </message>
    <message>
        <source>%1 left of the %2 reserved</source>
        <translation type="vanished">Nog %1 van de gereserveerde %2</translation>
    </message>
    <message>
        <source>Your stop code</source>
        <translation>Uw stopcode</translation>
    </message>
    <message>
        <source>Note it down: it stops this session here later.</source>
        <translation>Noteer hem: hiermee stopt u deze sessie later hier.</translation>
    </message>
    <message>
        <source>Charging power</source>
        <translation>Laadvermogen</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Overzicht</translation>
    </message>
    <message>
        <source>Stop charging</source>
        <translation>Laden stoppen</translation>
    </message>
</context>
<context>
    <name>CodeEntry</name>
    <message>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
    <message>
        <source>This code does not match. 1 try left, then the pad pauses.</source>
        <translation>Deze code klopt niet. Nog 1 poging, dan pauzeert het toetsenblok.</translation>
    </message>
    <message>
        <source>This code does not match. %1 tries left, then the pad pauses.</source>
        <translation>Deze code klopt niet. Nog %1 pogingen, dan pauzeert het toetsenblok.</translation>
    </message>
    <message>
        <source>Too many wrong codes. Try again in %1.</source>
        <translation>Te veel verkeerde codes. Probeer het opnieuw over %1.</translation>
    </message>
    <message>
        <source>No recent session was paid with this card.</source>
        <translation>Met deze pas is onlangs geen sessie betaald.</translation>
    </message>
    <message>
        <source>This is the stop code of charging point %1. Stop the session there?</source>
        <translation>Dit is de stopcode van laadpunt %1. De sessie daar stoppen?</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Nee</translation>
    </message>
    <message>
        <source>Stop point %1</source>
        <translation>%1 stoppen</translation>
    </message>
</context>
<context>
    <name>ConfirmStop</name>
    <message>
        <source>Stop charging now?</source>
        <translation>Laden nu stoppen?</translation>
    </message>
    <message>
        <source>Cost so far: %1.</source>
        <translation>Kosten tot nu toe: %1.</translation>
    </message>
    <message>
        <source>A stopped session cannot be resumed: charging again needs a new payment.</source>
        <translation>Een gestopte sessie kan niet verder: opnieuw laden vraagt een nieuwe betaling.</translation>
    </message>
    <message>
        <source>Keep charging</source>
        <translation>Verder laden</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Stoppen</translation>
    </message>
</context>
<context>
    <name>ConnectorCard</name>
    <message>
        <source>Not charging</source>
        <translation>Laadt niet</translation>
    </message>
    <message>
        <source>Charging point %1</source>
        <translation>Laadpunt %1</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Energie</translation>
    </message>
    <message>
        <source>Power</source>
        <translation>Vermogen</translation>
    </message>
    <message>
        <source>Cost so far</source>
        <translation>Kosten tot nu toe</translation>
    </message>
    <message>
        <source>Idle fee from %1 unless the car is unplugged</source>
        <translation>Blokkeertarief vanaf %1 als de auto niet wordt losgekoppeld</translation>
    </message>
    <message>
        <source>Last receipt</source>
        <translation>Laatste bon</translation>
    </message>
    <message>
        <source>Start charging here</source>
        <translation>Hier laden</translation>
    </message>
    <message>
        <source>View or stop this session</source>
        <translation>Sessie bekijken of stoppen</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>DeclinedScreen</name>
    <message>
        <source>Payment not accepted</source>
        <translation>Betaling niet geaccepteerd</translation>
    </message>
    <message>
        <source>Charging card not accepted</source>
        <translation>Laadpas niet geaccepteerd</translation>
    </message>
    <message>
        <source>Your charging account has no credit left.</source>
        <translation>Uw laadaccount heeft geen tegoed meer.</translation>
    </message>
    <message>
        <source>This charging card is blocked.</source>
        <translation>Deze laadpas is geblokkeerd.</translation>
    </message>
    <message>
        <source>This charging card is not known here.</source>
        <translation>Deze laadpas is hier niet bekend.</translation>
    </message>
    <message>
        <source>This charging card has expired.</source>
        <translation>Deze laadpas is verlopen.</translation>
    </message>
    <message>
        <source>Your charging card could not be checked just now.</source>
        <translation>Uw laadpas kon nu niet worden gecontroleerd.</translation>
    </message>
    <message>
        <source>This charging card was refused.</source>
        <translation>Deze laadpas is geweigerd.</translation>
    </message>
    <message>
        <source>There is not enough money for this phone payment.</source>
        <translation>Er is niet genoeg saldo voor deze betaling met de telefoon.</translation>
    </message>
    <message>
        <source>The payment method on your phone is blocked.</source>
        <translation>De betaalmethode op uw telefoon is geblokkeerd.</translation>
    </message>
    <message>
        <source>The payment method on your phone has expired.</source>
        <translation>De betaalmethode op uw telefoon is verlopen.</translation>
    </message>
    <message>
        <source>The payment service could not be reached.</source>
        <translation>De betaaldienst is niet bereikbaar.</translation>
    </message>
    <message>
        <source>Your phone payment was declined.</source>
        <translation>Uw betaling met de telefoon is geweigerd.</translation>
    </message>
    <message>
        <source>There is not enough money on the card.</source>
        <translation>Er staat niet genoeg saldo op de kaart.</translation>
    </message>
    <message>
        <source>This bank card is blocked.</source>
        <translation>Deze bankpas is geblokkeerd.</translation>
    </message>
    <message>
        <source>This card could not be read.</source>
        <translation>Deze kaart kon niet worden gelezen.</translation>
    </message>
    <message>
        <source>The payment was cancelled at the terminal.</source>
        <translation>De betaling is op de terminal geannuleerd.</translation>
    </message>
    <message>
        <source>The PIN was wrong.</source>
        <translation>De pincode was onjuist.</translation>
    </message>
    <message>
        <source>This card type is not accepted here.</source>
        <translation>Dit type kaart wordt hier niet geaccepteerd.</translation>
    </message>
    <message>
        <source>The card&apos;s limit does not allow this amount.</source>
        <translation>De limiet van de kaart staat dit bedrag niet toe.</translation>
    </message>
    <message>
        <source>The card could not be read. Please try again.</source>
        <translation>De kaart kon niet worden gelezen. Probeer het opnieuw.</translation>
    </message>
    <message>
        <source>No card was presented in time.</source>
        <translation>Er werd niet op tijd een kaart aangeboden.</translation>
    </message>
    <message>
        <source>The terminal is busy. Please try again.</source>
        <translation>De terminal is bezet. Probeer het opnieuw.</translation>
    </message>
    <message>
        <source>This bank card has expired.</source>
        <translation>Deze bankpas is verlopen.</translation>
    </message>
    <message>
        <source>The card was declined by the bank.</source>
        <translation>De bank heeft de kaart geweigerd.</translation>
    </message>
    <message>
        <source>Nothing has been charged.</source>
        <translation>Er is niets afgeschreven.</translation>
    </message>
    <message>
        <source>Please contact the company that issued your charging card, or pay by bank card or phone instead.</source>
        <translation>Neem contact op met de uitgever van uw laadpas, of betaal met uw bankpas of telefoon.</translation>
    </message>
    <message>
        <source>You can try again on your phone, pay by bank card, or check your payment app.</source>
        <translation>Probeer het opnieuw op uw telefoon, betaal met uw bankpas of controleer uw betaalapp.</translation>
    </message>
    <message>
        <source>You can try another card or pay by phone, or ask your bank.</source>
        <translation>Probeer een andere kaart, betaal met uw telefoon of neem contact op met uw bank.</translation>
    </message>
    <message>
        <source>You can try another card or another way to pay, or ask your bank or card issuer.</source>
        <translation type="vanished">Probeer een andere kaart of betaalwijze, of neem contact op met uw bank of kaartuitgever.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
    <message>
        <source>Try another way to pay</source>
        <translation>Andere betaalwijze kiezen</translation>
    </message>
</context>
<context>
    <name>DevPanel</name>
    <message>
        <source>Developer panel</source>
        <translation>Ontwikkelaarspaneel</translation>
    </message>
    <message>
        <source>Developer panel (demo)</source>
        <translation>Ontwikkelaarspaneel (demo)</translation>
    </message>
    <message>
        <source>RFID reader: tap a card</source>
        <translation>RFID-lezer: pas aanbieden</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>Lid</translation>
    </message>
    <message>
        <source>Fleet</source>
        <translation>Wagenpark</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Personeel</translation>
    </message>
    <message>
        <source>Blocked</source>
        <translation>Geblokkeerd</translation>
    </message>
    <message>
        <source>A bank card</source>
        <translation>Een bankpas</translation>
    </message>
    <message>
        <source>Unreadable</source>
        <translation>Onleesbaar</translation>
    </message>
    <message>
        <source>Terminal: present a bank card</source>
        <translation>Terminal: bankpas aanbieden</translation>
    </message>
    <message>
        <source>Visa declined</source>
        <translation>Visa geweigerd</translation>
    </message>
    <message>
        <source>MC no funds</source>
        <translation>MC geen saldo</translation>
    </message>
    <message>
        <source>girocard, PIN</source>
        <translation>girocard, pincode</translation>
    </message>
    <message>
        <source>PIN wrong</source>
        <translation>Pincode onjuist</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Verlopen</translation>
    </message>
    <message>
        <source>Not accepted</source>
        <translation>Niet geaccepteerd</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Telefoon</translation>
    </message>
    <message>
        <source>QR checkout paid</source>
        <translation>QR-betaling voltooid</translation>
    </message>
    <message>
        <source>Car and charger</source>
        <translation>Auto en laadpaal</translation>
    </message>
    <message>
        <source>Plug in</source>
        <translation>Aansluiten</translation>
    </message>
    <message>
        <source>Unplug</source>
        <translation>Loskoppelen</translation>
    </message>
    <message>
        <source>Fault</source>
        <translation>Storing</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Wissen</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>Backend</translation>
    </message>
    <message>
        <source>Go online</source>
        <translation>Online gaan</translation>
    </message>
    <message>
        <source>Go offline</source>
        <translation>Offline gaan</translation>
    </message>
</context>
<context>
    <name>ErrorScreen</name>
    <message>
        <source>That did not work</source>
        <translation>Dat is niet gelukt</translation>
    </message>
    <message>
        <source>The station could not complete this step.</source>
        <translation>Het laadstation kon deze stap niet voltooien.</translation>
    </message>
    <message>
        <source>Please try again. If it happens again, please contact %1.</source>
        <translation>Probeer het opnieuw. Gebeurt het weer, neem dan contact op met %1.</translation>
    </message>
    <message>
        <source>Back to start</source>
        <translation>Terug naar begin</translation>
    </message>
</context>
<context>
    <name>FaultedScreen</name>
    <message>
        <source>Charging point %1 has a fault</source>
        <translation>Laadpunt %1 heeft een storing</translation>
    </message>
    <message>
        <source>Please use another charging point. The operator has been notified.</source>
        <translation>Gebruik een ander laadpunt. De exploitant is op de hoogte gebracht.</translation>
    </message>
    <message>
        <source>Reported by the charger</source>
        <translation>Gemeld door de laadpaal</translation>
    </message>
    <message>
        <source>For your safety this charging point is switched off. If a session was running, it has been stopped and you only pay for the energy you received.</source>
        <translation>Voor uw veiligheid is dit laadpunt uitgeschakeld. Een lopende sessie is gestopt en u betaalt alleen voor de geladen energie.</translation>
    </message>
    <message>
        <source>Back to all charging points</source>
        <translation>Terug naar alle laadpunten</translation>
    </message>
</context>
<context>
    <name>FinishingScreen</name>
    <message>
        <source>Charging stopped</source>
        <translation>Laden gestopt</translation>
    </message>
    <message>
        <source>Please unplug your car and hang the cable back. Your receipt follows.</source>
        <translation>Koppel uw auto los en hang de kabel terug. Daarna krijgt u uw bon.</translation>
    </message>
    <message>
        <source>Stopped with your charging card.</source>
        <translation>Gestopt met uw laadpas.</translation>
    </message>
    <message>
        <source>Stopped with your stop code.</source>
        <translation>Gestopt met uw stopcode.</translation>
    </message>
    <message>
        <source>Stopped as you asked.</source>
        <translation>Gestopt zoals gevraagd.</translation>
    </message>
    <message>
        <source>Cost: %1.</source>
        <translation>Kosten: %1.</translation>
    </message>
    <message>
        <source>Unplug within %1 to avoid the idle fee.</source>
        <translation>Koppel binnen %1 los om het blokkeertarief te vermijden.</translation>
    </message>
    <message>
        <source>The idle fee is running.</source>
        <translation>Het blokkeertarief loopt.</translation>
    </message>
    <message>
        <source>Idle fee: %1 per minute, at most %2, for blocking the charging point after charging.</source>
        <translation>Blokkeertarief: %1 per minuut, maximaal %2, als het laadpunt na het laden bezet blijft.</translation>
    </message>
    <message>
        <source>Idle fee: %1 per minute for blocking the charging point after charging.</source>
        <translation>Blokkeertarief: %1 per minuut als het laadpunt na het laden bezet blijft.</translation>
    </message>
    <message>
        <source>No idle fee: the station stopped this session. Please unplug when you can.</source>
        <translation>Geen blokkeertarief: het laadpunt heeft de sessie gestopt. Koppel los zodra het kan.</translation>
    </message>
    <message>
        <source>No idle fee here, but others may be waiting to charge.</source>
        <translation>Hier geldt geen blokkeertarief, maar anderen wachten misschien al.</translation>
    </message>
    <message>
        <source>Stopped by the charger: %1</source>
        <translation>Gestopt door de laadpaal: %1</translation>
    </message>
    <message>
        <source>Cost so far</source>
        <translation>Kosten tot nu toe</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Energie</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Tijd</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Overzicht</translation>
    </message>
</context>
<context>
    <name>GetReceiptScreen</name>
    <message>
        <source>Get a receipt</source>
        <translation>Bon opvragen</translation>
    </message>
    <message>
        <source>Type the stop code of your session, or tap the charging card you paid with. Receipts of the last 24 hours.</source>
        <translation>Typ de stopcode van uw sessie of houd de laadpas waarmee u betaalde tegen de lezer. Bonnen van de laatste 24 uur.</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Tonen</translation>
    </message>
    <message>
        <source>Paid with a charging card? Hold it to the reader.</source>
        <translation>Betaald met een laadpas? Houd hem tegen de lezer.</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Overzicht</translation>
    </message>
</context>
<context>
    <name>HeaderBar</name>
    <message>
        <source>High contrast</source>
        <translation>Hoog contrast</translation>
    </message>
    <message>
        <source>Reach mode: all controls in the lower part of the screen</source>
        <translation>Bereikmodus: alle bediening onder in het scherm</translation>
    </message>
</context>
<context>
    <name>HintBanner</name>
    <message>
        <source>This is a bank card: please use the card terminal below the screen. Nothing was read from it.</source>
        <translation>Dit is een bankpas: gebruik de betaalterminal onder het scherm. Er is niets van de pas gelezen.</translation>
    </message>
    <message>
        <source>This card could not be read. Please hold it flat on the reader until the screen changes.</source>
        <translation>De kaart kon niet worden gelezen. Houd hem plat tegen de lezer tot het scherm verandert.</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>EV charging</source>
        <translation>Elektrisch laden</translation>
    </message>
    <message>
        <source>Reach mode is on: every control is in the lower part of the screen.</source>
        <translation>Bereikmodus staat aan: alle bediening zit onder in het scherm.</translation>
    </message>
    <message>
        <source>Tap the reach button again to use the whole screen.</source>
        <translation>Tik nogmaals op de knop voor de bereikmodus om het hele scherm te gebruiken.</translation>
    </message>
</context>
<context>
    <name>OfflineBanner</name>
    <message>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <source>Charging and payment by card still work. Paying by phone is not available right now.</source>
        <translation>Laden en betalen met een pas werken nog. Betalen met de telefoon is nu niet mogelijk.</translation>
    </message>
</context>
<context>
    <name>OfflineScreen</name>
    <message>
        <source>Charging point %1 is not responding</source>
        <translation>Laadpunt %1 reageert niet</translation>
    </message>
    <message>
        <source>We are trying to reconnect. Please use another charging point for now.</source>
        <translation>We proberen opnieuw verbinding te maken. Gebruik voorlopig een ander laadpunt.</translation>
    </message>
    <message>
        <source>Back to all charging points</source>
        <translation>Terug naar alle laadpunten</translation>
    </message>
</context>
<context>
    <name>OutOfServiceScreen</name>
    <message>
        <source>This charging station is out of service</source>
        <translation>Dit laadstation is buiten gebruik</translation>
    </message>
    <message>
        <source>Charging point %1 is out of service</source>
        <translation>Laadpunt %1 is buiten gebruik</translation>
    </message>
    <message>
        <source>Please use another charging point. We are sorry for the inconvenience.</source>
        <translation>Gebruik een ander laadpunt. Excuses voor het ongemak.</translation>
    </message>
    <message>
        <source>Its storage is full, so it cannot record charging sessions and payments.</source>
        <translation>Het geheugen is vol, dus het kan geen laadsessies en betalingen vastleggen.</translation>
    </message>
    <message>
        <source>Its storage cannot be written, so it cannot record charging sessions and payments.</source>
        <translation>Het geheugen kan niet worden beschreven, dus het kan geen laadsessies en betalingen vastleggen.</translation>
    </message>
    <message>
        <source>Its records are damaged, so it cannot record charging sessions and payments.</source>
        <translation>De gegevens zijn beschadigd, dus het kan geen laadsessies en betalingen vastleggen.</translation>
    </message>
    <message>
        <source>Another program is using its records.</source>
        <translation>Een ander programma gebruikt de gegevens.</translation>
    </message>
    <message>
        <source>It cannot record charging sessions and payments right now.</source>
        <translation>Het kan op dit moment geen laadsessies en betalingen vastleggen.</translation>
    </message>
    <message>
        <source>The station tries again by itself. No payment is taken meanwhile; a session that was running has been stopped, and you only pay for the energy recorded.</source>
        <translation>Het station probeert het zelf opnieuw. Intussen wordt er niet betaald; een lopende laadsessie is gestopt en u betaalt alleen de vastgelegde energie.</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Exploitant</translation>
    </message>
    <message>
        <source>Back to all charging points</source>
        <translation>Terug naar alle laadpunten</translation>
    </message>
</context>
<context>
    <name>OverviewScreen</name>
    <message>
        <source>Choose a charging point</source>
        <translation>Kies een laadpunt</translation>
    </message>
    <message>
        <source>You see the full price before you start. All prices include VAT.</source>
        <translation>U ziet de volledige prijs voordat u begint. Alle prijzen zijn inclusief btw.</translation>
    </message>
    <message>
        <source>Pay with</source>
        <translation>Betalen met</translation>
    </message>
    <message>
        <source>Charging card</source>
        <translation>Laadpas</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>Bankpas</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Telefoon</translation>
    </message>
    <message>
        <source>Get a receipt</source>
        <translation>Bon opvragen</translation>
    </message>
</context>
<context>
    <name>PaymentScreen</name>
    <message>
        <source>How would you like to pay?</source>
        <translation>Hoe wilt u betalen?</translation>
    </message>
    <message>
        <source>Charging point %1</source>
        <translation>Laadpunt %1</translation>
    </message>
    <message>
        <source>Charging card or key fob</source>
        <translation>Laadpas of sleutelhanger</translation>
    </message>
    <message>
        <source>For members and fleets. Billed to your account.</source>
        <translation>Voor leden en wagenparken. Gefactureerd op uw account.</translation>
    </message>
    <message>
        <source>The card reader is not connected</source>
        <translation>De kaartlezer is niet aangesloten</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>Bankpas</translation>
    </message>
    <message>
        <source>Debit or credit card, contactless or chip, or your phone&apos;s wallet.</source>
        <translation>Betaal- of creditcard, contactloos of met chip, of met de wallet op uw telefoon.</translation>
    </message>
    <message>
        <source>Reserved: %1</source>
        <translation>Gereserveerd: %1</translation>
    </message>
    <message>
        <source>The card terminal is not available right now</source>
        <translation>De betaalterminal is nu niet beschikbaar</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Telefoon</translation>
    </message>
    <message>
        <source>Scan a QR code and pay on your phone.</source>
        <translation>Scan een QR-code en betaal op uw telefoon.</translation>
    </message>
    <message>
        <source>Not available while offline</source>
        <translation>Niet beschikbaar zolang offline</translation>
    </message>
    <message>
        <source>A reserved amount is only held, not charged: you pay what you use, the rest is released when you unplug.</source>
        <translation>Een gereserveerd bedrag wordt alleen vastgehouden, niet afgeschreven: u betaalt wat u laadt, de rest komt vrij bij het loskoppelen.</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Terug</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
</context>
<context>
    <name>PlugInScreen</name>
    <message>
        <source>Plug in your car</source>
        <translation>Sluit uw auto aan</translation>
    </message>
    <message>
        <source>Payment accepted. Take the cable of charging point %1 and plug it into your car.</source>
        <translation>Betaling geaccepteerd. Pak de kabel van laadpunt %1 en sluit hem aan op uw auto.</translation>
    </message>
    <message>
        <source>to plug in</source>
        <translation>om aan te sluiten</translation>
    </message>
    <message>
        <source>Charging starts by itself. If no car is plugged in before the time runs out, we cancel and release your payment.</source>
        <translation>Het laden start vanzelf. Is er voor het einde van de tijd geen auto aangesloten, dan annuleren we en geven we uw betaling vrij.</translation>
    </message>
    <message>
        <source>Cancel and release payment</source>
        <translation>Annuleren en betaling vrijgeven</translation>
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
        <translation>%1 u</translation>
    </message>
    <message>
        <source>Charging power over time</source>
        <translation>Laadvermogen in de tijd</translation>
    </message>
</context>
<context>
    <name>PriceExample</name>
    <message>
        <source>Example: a charge starting now</source>
        <translation>Voorbeeld: een laadbeurt vanaf nu</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 u %2 min</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 min</translation>
    </message>
    <message>
        <source>%1 kWh at %2 kW, about %3</source>
        <translation>%1 kWh met %2 kW, ongeveer %3</translation>
    </message>
    <message>
        <source>From %1 during this charge: %2 %3</source>
        <translation>Vanaf %1 tijdens deze laadbeurt: %2 %3</translation>
    </message>
    <message>
        <source>From %1 during this charge: %2</source>
        <translation>Vanaf %1 tijdens deze laadbeurt: %2</translation>
    </message>
    <message>
        <source>An estimate: your car decides how fast it charges. You pay what the meter measures.</source>
        <translation>Een schatting: uw auto bepaalt hoe snel hij laadt. U betaalt wat de meter meet.</translation>
    </message>
</context>
<context>
    <name>PriceScreen</name>
    <message>
        <source>Price at charging point %1</source>
        <translation>Prijs bij laadpunt %1</translation>
    </message>
    <message>
        <source>This is what you pay. Nothing is charged before you start.</source>
        <translation>Dit betaalt u. Voor de start wordt niets afgeschreven.</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>Nu</translation>
    </message>
    <message>
        <source>Member price</source>
        <translation>Ledenprijs</translation>
    </message>
    <message>
        <source>Pay with your charging card to get it.</source>
        <translation>Betaal met uw laadpas om deze te krijgen.</translation>
    </message>
    <message>
        <source>How paying works</source>
        <translation>Zo werkt betalen</translation>
    </message>
    <message>
        <source>Bank card: we reserve %1 and charge only what you use.</source>
        <translation>Bankpas: we reserveren %1 en rekenen alleen af wat u laadt.</translation>
    </message>
    <message>
        <source>Phone: we reserve %1 and charge only what you use.</source>
        <translation>Telefoon: we reserveren %1 en rekenen alleen af wat u laadt.</translation>
    </message>
    <message>
        <source>Charging card: billed to your account.</source>
        <translation>Laadpas: gefactureerd op uw account.</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Terug</translation>
    </message>
    <message>
        <source>Continue to payment</source>
        <translation>Verder naar betalen</translation>
    </message>
</context>
<context>
    <name>QrScreen</name>
    <message>
        <source>Pay with your phone</source>
        <translation>Betalen met uw telefoon</translation>
    </message>
    <message>
        <source>Scan the code with your phone&apos;s camera and pay on the page that opens.</source>
        <translation>Scan de code met de camera van uw telefoon en betaal op de pagina die opent.</translation>
    </message>
    <message>
        <source>QR code for the payment page</source>
        <translation>QR-code voor de betaalpagina</translation>
    </message>
    <message>
        <source>code valid</source>
        <translation>code geldig</translation>
    </message>
    <message>
        <source>Open the camera and point it at the code.</source>
        <translation>Open de camera en richt hem op de code.</translation>
    </message>
    <message>
        <source>Pay on the page that opens. We reserve %1.</source>
        <translation>Betaal op de pagina die opent. We reserveren %1.</translation>
    </message>
    <message>
        <source>Charging starts when you plug in.</source>
        <translation>Het laden start zodra u aansluit.</translation>
    </message>
    <message>
        <source>Other payment</source>
        <translation>Andere betaalwijze</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
</context>
<context>
    <name>ReceiptScreen</name>
    <message>
        <source>Thank you for charging</source>
        <translation>Bedankt voor het laden</translation>
    </message>
    <message>
        <source>Here is your receipt. Your payment has been settled.</source>
        <translation>Hier is uw bon. Uw betaling is verwerkt.</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Totaal</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Energie</translation>
    </message>
    <message>
        <source>Plugged in</source>
        <translation>Aangesloten</translation>
    </message>
    <message>
        <source>Receipt %1</source>
        <translation>Bon %1</translation>
    </message>
    <message>
        <source>incl. VAT %1</source>
        <translation>incl. btw %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Stopped: %1</source>
        <translation>Gestopt: %1</translation>
    </message>
    <message>
        <source>Paid with %1</source>
        <translation>Betaald met %1</translation>
    </message>
    <message>
        <source>QR code for the e-receipt</source>
        <translation>QR-code voor de e-bon</translation>
    </message>
    <message>
        <source>Your e-receipt</source>
        <translation>Uw e-bon</translation>
    </message>
    <message>
        <source>Scan the code to download the receipt as a PDF.</source>
        <translation>Scan de code om de bon als pdf te downloaden.</translation>
    </message>
    <message>
        <source>This screen closes in %1.</source>
        <translation>Dit scherm sluit over %1.</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Klaar</translation>
    </message>
</context>
<context>
    <name>StopCodePad</name>
    <message>
        <source>Stop this session</source>
        <translation>Deze sessie stoppen</translation>
    </message>
    <message>
        <source>Enter the 6-digit stop code shown when the session started, or tap the same charging card on the reader.</source>
        <translation>Voer de 6-cijferige stopcode in die bij de start werd getoond, of houd dezelfde laadpas bij de lezer.</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="vanished">Stoppen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
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
        <translation>Beschikbaar</translation>
    </message>
    <message>
        <source>Charging</source>
        <translation>Laadt</translation>
    </message>
    <message>
        <source>Charging finished</source>
        <translation>Laden klaar</translation>
    </message>
    <message>
        <source>Out of service</source>
        <translation>Buiten gebruik</translation>
    </message>
    <message>
        <source>Fault</source>
        <translation>Storing</translation>
    </message>
    <message>
        <source>Not responding</source>
        <translation>Reageert niet</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Wordt gestart…</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>Bezet</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Energie</translation>
    </message>
    <message>
        <source>Charging time</source>
        <translation>Laadtijd</translation>
    </message>
    <message>
        <source>Parking</source>
        <translation>Parkeren</translation>
    </message>
    <message>
        <source>Session fee</source>
        <translation>Starttarief</translation>
    </message>
    <message>
        <source>Idle fee</source>
        <translation>Blokkeertarief</translation>
    </message>
    <message>
        <source>Minimum price</source>
        <translation>Minimumprijs</translation>
    </message>
    <message>
        <source>Maximum price</source>
        <translation>Maximumprijs</translation>
    </message>
    <message>
        <source>The card was declined by the bank.</source>
        <translation>De bank heeft de kaart geweigerd.</translation>
    </message>
    <message>
        <source>There is not enough money on the card.</source>
        <translation>Er staat niet genoeg saldo op de kaart.</translation>
    </message>
    <message>
        <source>This charging card is blocked.</source>
        <translation>Deze laadpas is geblokkeerd.</translation>
    </message>
    <message>
        <source>This charging card is not known here.</source>
        <translation>Deze laadpas is hier niet bekend.</translation>
    </message>
    <message>
        <source>This charging card was refused.</source>
        <translation>Deze laadpas is geweigerd.</translation>
    </message>
    <message>
        <source>This code does not match a running session.</source>
        <translation type="vanished">Deze code hoort bij geen enkele lopende sessie.</translation>
    </message>
    <message>
        <source>This charging point is busy.</source>
        <translation>Dit laadpunt is bezet.</translation>
    </message>
    <message>
        <source>Choose this way to pay first.</source>
        <translation>Kies eerst deze betaalwijze.</translation>
    </message>
    <message>
        <source>This way to pay is not available right now.</source>
        <translation>Deze betaalwijze is nu niet beschikbaar.</translation>
    </message>
    <message>
        <source>No charging session is running at this charging point.</source>
        <translation>Bij dit laadpunt loopt geen laadsessie.</translation>
    </message>
    <message>
        <source>The charger could not start. Your payment is released.</source>
        <translation>De laadpaal kon niet starten. Uw betaling wordt vrijgegeven.</translation>
    </message>
    <message>
        <source>Residual current detected.</source>
        <translation>Lekstroom gedetecteerd.</translation>
    </message>
</context>
<context>
    <name>TerminalScreen</name>
    <message>
        <source>Pay by bank card</source>
        <translation>Betalen met bankpas</translation>
    </message>
    <message>
        <source>Cancelling the payment at the terminal…</source>
        <translation>De betaling wordt op de terminal geannuleerd…</translation>
    </message>
    <message>
        <source>Enter your PIN on the terminal.</source>
        <translation>Voer uw pincode in op de terminal.</translation>
    </message>
    <message>
        <source>Wrong PIN. Please enter it again on the terminal.</source>
        <translation>Onjuiste pincode. Voer hem opnieuw in op de terminal.</translation>
    </message>
    <message>
        <source>The terminal is checking your card with your bank…</source>
        <translation>De terminal controleert uw kaart bij uw bank…</translation>
    </message>
    <message>
        <source>Please take your card from the terminal.</source>
        <translation>Neem uw kaart uit de terminal.</translation>
    </message>
    <message>
        <source>Please follow the instructions on the terminal.</source>
        <translation>Volg de instructies op de terminal.</translation>
    </message>
    <message>
        <source>Insert or tap your card on the terminal below.</source>
        <translation>Steek uw kaart in de terminal hieronder of houd hem ertegen.</translation>
    </message>
    <message>
        <source>The terminal is below the screen</source>
        <translation>De terminal zit onder het scherm</translation>
    </message>
    <message>
        <source>The terminal shows: %1</source>
        <translation>De terminal toont: %1</translation>
    </message>
    <message>
        <source>We reserve %1 on your card. When you unplug, we charge only what you used and release the rest.</source>
        <translation>We reserveren %1 op uw kaart. Bij het loskoppelen rekenen we alleen af wat u hebt geladen en geven we de rest vrij.</translation>
    </message>
    <message>
        <source>This screen closes in %1 if nothing happens.</source>
        <translation>Zonder actie sluit dit scherm over %1.</translation>
    </message>
    <message>
        <source>Other payment</source>
        <translation>Andere betaalwijze</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
</context>
<context>
    <name>TimeoutScreen</name>
    <message>
        <source>Time ran out</source>
        <translation>Tijd verstreken</translation>
    </message>
    <message>
        <source>No car was plugged in, so we stopped waiting.</source>
        <translation>Er is geen auto aangesloten, dus we wachten niet langer.</translation>
    </message>
    <message>
        <source>Nothing happened for a while, so we stopped waiting.</source>
        <translation>Er gebeurde een tijd niets, dus we zijn gestopt met wachten.</translation>
    </message>
    <message>
        <source>This session was cancelled: nothing is billed to your charging account.</source>
        <translation>Deze sessie is geannuleerd: er wordt niets op uw laadaccount in rekening gebracht.</translation>
    </message>
    <message>
        <source>No charging card was presented: nothing is billed.</source>
        <translation>Er is geen laadpas aangeboden: er wordt niets in rekening gebracht.</translation>
    </message>
    <message>
        <source>The amount reserved for your phone payment has been released.</source>
        <translation>Het bedrag dat voor uw betaling met de telefoon was gereserveerd, is vrijgegeven.</translation>
    </message>
    <message>
        <source>The payment code has expired and nothing was paid.</source>
        <translation>De betaalcode is verlopen en er is niets betaald.</translation>
    </message>
    <message>
        <source>The amount reserved on your card has been released. Your bank may take a few days to show it.</source>
        <translation>Het op uw kaart gereserveerde bedrag is vrijgegeven. Het kan een paar dagen duren voordat uw bank dit toont.</translation>
    </message>
    <message>
        <source>No card was presented: nothing was reserved.</source>
        <translation>Er is geen kaart aangeboden: er is niets gereserveerd.</translation>
    </message>
    <message>
        <source>Nothing has been charged.</source>
        <translation>Er is niets afgeschreven.</translation>
    </message>
    <message>
        <source>You can start again whenever you are ready.</source>
        <translation>U kunt opnieuw beginnen wanneer u wilt.</translation>
    </message>
    <message>
        <source>Any amount reserved on your card has been released. You can start again whenever you are ready.</source>
        <translation type="vanished">Een gereserveerd bedrag op uw kaart is vrijgegeven. U kunt opnieuw beginnen wanneer u wilt.</translation>
    </message>
    <message>
        <source>Start again</source>
        <translation>Opnieuw beginnen</translation>
    </message>
</context>
<context>
    <name>WaitCardScreen</name>
    <message>
        <source>Tap your charging card</source>
        <translation>Houd uw laadpas bij de lezer</translation>
    </message>
    <message>
        <source>Hold your card or key fob flat on the reader below the screen.</source>
        <translation>Houd uw pas of sleutelhanger plat tegen de lezer onder het scherm.</translation>
    </message>
    <message>
        <source>The reader is below the screen</source>
        <translation>De lezer zit onder het scherm</translation>
    </message>
    <message>
        <source>This screen closes in %1 if nothing happens.</source>
        <translation>Zonder actie sluit dit scherm over %1.</translation>
    </message>
    <message>
        <source>Other payment</source>
        <translation>Andere betaalwijze</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Annuleren</translation>
    </message>
</context>
</TS>
