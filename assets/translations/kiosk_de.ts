<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AuthorizingScreen</name>
    <message>
        <source>Checking your payment</source>
        <translation>Ihre Zahlung wird geprüft</translation>
    </message>
    <message>
        <source>Please leave your card on the terminal until it beeps.</source>
        <translation>Bitte lassen Sie Ihre Karte am Terminal, bis es piept.</translation>
    </message>
    <message>
        <source>Checking your charging card.</source>
        <translation>Ihre Ladekarte wird geprüft.</translation>
    </message>
    <message>
        <source>Confirming the payment from your phone.</source>
        <translation>Die Zahlung mit Ihrem Smartphone wird bestätigt.</translation>
    </message>
    <message>
        <source>This usually takes a few seconds.</source>
        <translation>Das dauert meist nur wenige Sekunden.</translation>
    </message>
</context>
<context>
    <name>ChargingScreen</name>
    <message>
        <source>Charging at point %1</source>
        <translation>Laden an Ladepunkt %1</translation>
    </message>
    <message>
        <source>Your car has stopped charging</source>
        <translation>Ihr Auto lädt nicht mehr</translation>
    </message>
    <message>
        <source>Your car is full at point %1.</source>
        <translation>Ihr Auto ist an Ladepunkt %1 voll geladen.</translation>
    </message>
    <message>
        <source>Your car paused charging at point %1; it may go on by itself.</source>
        <translation>Ihr Auto hat das Laden an Ladepunkt %1 unterbrochen; es kann von selbst weiterladen.</translation>
    </message>
    <message>
        <source>You can leave your car and stop here at any time.</source>
        <translation>Sie können Ihr Auto verlassen und den Ladevorgang hier jederzeit beenden.</translation>
    </message>
    <message>
        <source>To stop, use the stop code of this session or tap the same charging card.</source>
        <translation>Zum Beenden den Stopp-Code eingeben oder dieselbe Ladekarte an das Lesegerät halten.</translation>
    </message>
    <message>
        <source>No idle fee here, but please unplug so others can charge.</source>
        <translation>Hier gibt es keine Blockiergebühr, aber bitte stecken Sie ab, damit andere laden können.</translation>
    </message>
    <message>
        <source>Idle fee from %1 unless you unplug.</source>
        <translation>Blockiergebühr ab %1, wenn Sie nicht abstecken.</translation>
    </message>
    <message>
        <source>The idle fee is running since %1.</source>
        <translation>Die Blockiergebühr läuft seit %1.</translation>
    </message>
    <message>
        <source>Idle fee: %1 per minute, at most %2, for blocking the charging point after charging.</source>
        <translation>Blockiergebühr: %1 pro Minute, höchstens %2, wenn der Ladepunkt nach dem Laden belegt bleibt.</translation>
    </message>
    <message>
        <source>Idle fee: %1 per minute for blocking the charging point after charging.</source>
        <translation>Blockiergebühr: %1 pro Minute, wenn der Ladepunkt nach dem Laden belegt bleibt.</translation>
    </message>
    <message>
        <source>Cost so far</source>
        <translation>Bisherige Kosten</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Energie</translation>
    </message>
    <message>
        <source>Power</source>
        <translation>Leistung</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Battery</source>
        <translation>Batterie</translation>
    </message>
    <message>
        <source>%1 left of this session&apos;s %2 limit on your account</source>
        <translation>%1 von %2 Limit für diese Sitzung auf Ihrem Konto übrig</translation>
    </message>
    <message>
        <source>%1 left of the %2 reserved for your phone payment</source>
        <translation>%1 von %2 übrig, reserviert für Ihre Zahlung per Handy</translation>
    </message>
    <message>
        <source>%1 left of the %2 reserved on your card</source>
        <translation>%1 von %2 übrig, auf Ihrer Karte reserviert</translation>
    </message>
    <message>
        <source>%1 left of the %2 reserved</source>
        <translation type="vanished">Noch %1 von reservierten %2</translation>
    </message>
    <message>
        <source>Your stop code</source>
        <translation>Ihr Stopp-Code</translation>
    </message>
    <message>
        <source>Note it down: it stops this session here later.</source>
        <translation>Bitte notieren: Damit beenden Sie den Ladevorgang später hier.</translation>
    </message>
    <message>
        <source>Charging power</source>
        <translation>Ladeleistung</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
    <message>
        <source>Stop charging</source>
        <translation>Laden beenden</translation>
    </message>
</context>
<context>
    <name>CodeEntry</name>
    <message>
        <source>Stop</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <source>This code does not match. 1 try left, then the pad pauses.</source>
        <translation>Dieser Code passt nicht. Noch 1 Versuch, dann pausiert die Eingabe.</translation>
    </message>
    <message>
        <source>This code does not match. %1 tries left, then the pad pauses.</source>
        <translation>Dieser Code passt nicht. Noch %1 Versuche, dann pausiert die Eingabe.</translation>
    </message>
    <message>
        <source>Too many wrong codes. Try again in %1.</source>
        <translation>Zu viele falsche Codes. Neuer Versuch in %1.</translation>
    </message>
    <message>
        <source>No recent session was paid with this card.</source>
        <translation>Mit dieser Karte wurde in letzter Zeit kein Ladevorgang bezahlt.</translation>
    </message>
    <message>
        <source>This is the stop code of charging point %1. Stop the session there?</source>
        <translation>Das ist der Stopp-Code von Ladepunkt %1. Den Ladevorgang dort beenden?</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Nein</translation>
    </message>
    <message>
        <source>Stop point %1</source>
        <translation>%1 beenden</translation>
    </message>
</context>
<context>
    <name>ConfirmStop</name>
    <message>
        <source>Stop charging now?</source>
        <translation>Laden jetzt beenden?</translation>
    </message>
    <message>
        <source>Cost so far: %1.</source>
        <translation>Bisherige Kosten: %1.</translation>
    </message>
    <message>
        <source>A stopped session cannot be resumed: charging again needs a new payment.</source>
        <translation>Ein beendeter Ladevorgang lässt sich nicht fortsetzen: erneutes Laden braucht eine neue Zahlung.</translation>
    </message>
    <message>
        <source>Keep charging</source>
        <translation>Weiterladen</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>Beenden</translation>
    </message>
</context>
<context>
    <name>ConnectorCard</name>
    <message>
        <source>Not charging</source>
        <translation>Lädt nicht</translation>
    </message>
    <message>
        <source>Charging point %1</source>
        <translation>Ladepunkt %1</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Energie</translation>
    </message>
    <message>
        <source>Power</source>
        <translation>Leistung</translation>
    </message>
    <message>
        <source>Cost so far</source>
        <translation>Bisherige Kosten</translation>
    </message>
    <message>
        <source>Idle fee from %1 unless the car is unplugged</source>
        <translation>Blockiergebühr ab %1, wenn das Auto nicht abgesteckt wird</translation>
    </message>
    <message>
        <source>Last receipt</source>
        <translation>Letzter Beleg</translation>
    </message>
    <message>
        <source>Start charging here</source>
        <translation>Hier laden</translation>
    </message>
    <message>
        <source>View or stop this session</source>
        <translation>Ladevorgang ansehen oder beenden</translation>
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
        <translation>Zahlung nicht akzeptiert</translation>
    </message>
    <message>
        <source>Charging card not accepted</source>
        <translation>Ladekarte nicht akzeptiert</translation>
    </message>
    <message>
        <source>Your charging account has no credit left.</source>
        <translation>Ihr Ladekonto hat kein Guthaben mehr.</translation>
    </message>
    <message>
        <source>This charging card is blocked.</source>
        <translation>Diese Ladekarte ist gesperrt.</translation>
    </message>
    <message>
        <source>This charging card is not known here.</source>
        <translation>Diese Ladekarte ist hier nicht bekannt.</translation>
    </message>
    <message>
        <source>This charging card has expired.</source>
        <translation>Diese Ladekarte ist abgelaufen.</translation>
    </message>
    <message>
        <source>Your charging card could not be checked just now.</source>
        <translation>Ihre Ladekarte konnte gerade nicht geprüft werden.</translation>
    </message>
    <message>
        <source>This charging card was refused.</source>
        <translation>Diese Ladekarte wurde abgelehnt.</translation>
    </message>
    <message>
        <source>There is not enough money for this phone payment.</source>
        <translation>Für diese Zahlung per Handy ist nicht genug Guthaben vorhanden.</translation>
    </message>
    <message>
        <source>The payment method on your phone is blocked.</source>
        <translation>Das Zahlungsmittel auf Ihrem Handy ist gesperrt.</translation>
    </message>
    <message>
        <source>The payment method on your phone has expired.</source>
        <translation>Das Zahlungsmittel auf Ihrem Handy ist abgelaufen.</translation>
    </message>
    <message>
        <source>The payment service could not be reached.</source>
        <translation>Der Zahlungsdienst ist gerade nicht erreichbar.</translation>
    </message>
    <message>
        <source>Your phone payment was declined.</source>
        <translation>Ihre Zahlung per Handy wurde abgelehnt.</translation>
    </message>
    <message>
        <source>There is not enough money on the card.</source>
        <translation>Auf der Karte ist nicht genug Guthaben.</translation>
    </message>
    <message>
        <source>This bank card is blocked.</source>
        <translation>Diese Bankkarte ist gesperrt.</translation>
    </message>
    <message>
        <source>This card could not be read.</source>
        <translation>Diese Karte konnte nicht gelesen werden.</translation>
    </message>
    <message>
        <source>The payment was cancelled at the terminal.</source>
        <translation>Die Zahlung wurde am Terminal abgebrochen.</translation>
    </message>
    <message>
        <source>The PIN was wrong.</source>
        <translation>Die PIN war falsch.</translation>
    </message>
    <message>
        <source>This card type is not accepted here.</source>
        <translation>Diese Kartenart wird hier nicht angenommen.</translation>
    </message>
    <message>
        <source>The card&apos;s limit does not allow this amount.</source>
        <translation>Das Limit der Karte lässt diesen Betrag nicht zu.</translation>
    </message>
    <message>
        <source>The card could not be read. Please try again.</source>
        <translation>Die Karte konnte nicht gelesen werden. Bitte versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>No card was presented in time.</source>
        <translation>Es wurde nicht rechtzeitig eine Karte vorgehalten.</translation>
    </message>
    <message>
        <source>The terminal is busy. Please try again.</source>
        <translation>Das Terminal ist beschäftigt. Bitte versuchen Sie es erneut.</translation>
    </message>
    <message>
        <source>This bank card has expired.</source>
        <translation>Diese Bankkarte ist abgelaufen.</translation>
    </message>
    <message>
        <source>The card was declined by the bank.</source>
        <translation>Die Bank hat die Karte abgelehnt.</translation>
    </message>
    <message>
        <source>Nothing has been charged.</source>
        <translation>Es wurde nichts berechnet.</translation>
    </message>
    <message>
        <source>Please contact the company that issued your charging card, or pay by bank card or phone instead.</source>
        <translation>Wenden Sie sich an den Anbieter Ihrer Ladekarte oder zahlen Sie stattdessen mit Bankkarte oder Handy.</translation>
    </message>
    <message>
        <source>You can try again on your phone, pay by bank card, or check your payment app.</source>
        <translation>Versuchen Sie es auf Ihrem Handy erneut, zahlen Sie mit Bankkarte oder prüfen Sie Ihre Bezahl-App.</translation>
    </message>
    <message>
        <source>You can try another card or pay by phone, or ask your bank.</source>
        <translation>Versuchen Sie eine andere Karte, zahlen Sie per Handy oder fragen Sie Ihre Bank.</translation>
    </message>
    <message>
        <source>You can try another card or another way to pay, or ask your bank or card issuer.</source>
        <translation type="vanished">Versuchen Sie eine andere Karte oder Zahlungsart oder wenden Sie sich an Ihre Bank bzw. den Kartenherausgeber.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Try another way to pay</source>
        <translation>Andere Zahlungsart wählen</translation>
    </message>
</context>
<context>
    <name>DevPanel</name>
    <message>
        <source>Developer panel</source>
        <translation>Entwicklerbereich</translation>
    </message>
    <message>
        <source>Developer panel (demo)</source>
        <translation>Entwicklerbereich (Demo)</translation>
    </message>
    <message>
        <source>RFID reader: tap a card</source>
        <translation>RFID-Leser: Karte auflegen</translation>
    </message>
    <message>
        <source>Member</source>
        <translation>Mitglied</translation>
    </message>
    <message>
        <source>Fleet</source>
        <translation>Flotte</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>Personal</translation>
    </message>
    <message>
        <source>Blocked</source>
        <translation>Gesperrt</translation>
    </message>
    <message>
        <source>A bank card</source>
        <translation>Eine Bankkarte</translation>
    </message>
    <message>
        <source>Unreadable</source>
        <translation>Unlesbar</translation>
    </message>
    <message>
        <source>Terminal: present a bank card</source>
        <translation>Terminal: Bankkarte vorhalten</translation>
    </message>
    <message>
        <source>Visa declined</source>
        <translation>Visa abgelehnt</translation>
    </message>
    <message>
        <source>MC no funds</source>
        <translation>MC ohne Deckung</translation>
    </message>
    <message>
        <source>girocard, PIN</source>
        <translation>girocard, PIN</translation>
    </message>
    <message>
        <source>PIN wrong</source>
        <translation>PIN falsch</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>Abgelaufen</translation>
    </message>
    <message>
        <source>Not accepted</source>
        <translation>Nicht akzeptiert</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Smartphone</translation>
    </message>
    <message>
        <source>QR checkout paid</source>
        <translation>QR-Zahlung erfolgt</translation>
    </message>
    <message>
        <source>Car and charger</source>
        <translation>Auto und Ladesäule</translation>
    </message>
    <message>
        <source>Plug in</source>
        <translation>Anstecken</translation>
    </message>
    <message>
        <source>Unplug</source>
        <translation>Abstecken</translation>
    </message>
    <message>
        <source>Fault</source>
        <translation>Störung</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>Beheben</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>Backend</translation>
    </message>
    <message>
        <source>Go online</source>
        <translation>Online gehen</translation>
    </message>
    <message>
        <source>Go offline</source>
        <translation>Offline gehen</translation>
    </message>
</context>
<context>
    <name>ErrorScreen</name>
    <message>
        <source>That did not work</source>
        <translation>Das hat nicht geklappt</translation>
    </message>
    <message>
        <source>The station could not complete this step.</source>
        <translation>Die Ladestation konnte diesen Schritt nicht abschließen.</translation>
    </message>
    <message>
        <source>Please try again. If it happens again, please contact %1.</source>
        <translation>Bitte versuchen Sie es erneut. Wenn das wieder passiert, wenden Sie sich bitte an %1.</translation>
    </message>
    <message>
        <source>Back to start</source>
        <translation>Zum Start</translation>
    </message>
</context>
<context>
    <name>FaultedScreen</name>
    <message>
        <source>Charging point %1 has a fault</source>
        <translation>Ladepunkt %1 ist gestört</translation>
    </message>
    <message>
        <source>Please use another charging point. The operator has been notified.</source>
        <translation>Bitte nutzen Sie einen anderen Ladepunkt. Der Betreiber ist informiert.</translation>
    </message>
    <message>
        <source>Reported by the charger</source>
        <translation>Meldung der Ladesäule</translation>
    </message>
    <message>
        <source>For your safety this charging point is switched off. If a session was running, it has been stopped and you only pay for the energy you received.</source>
        <translation>Zu Ihrer Sicherheit ist dieser Ladepunkt abgeschaltet. Ein laufender Ladevorgang wurde beendet; Sie zahlen nur die geladene Energie.</translation>
    </message>
    <message>
        <source>Back to all charging points</source>
        <translation>Zurück zu allen Ladepunkten</translation>
    </message>
</context>
<context>
    <name>FinishingScreen</name>
    <message>
        <source>Charging stopped</source>
        <translation>Ladevorgang beendet</translation>
    </message>
    <message>
        <source>Please unplug your car and hang the cable back. Your receipt follows.</source>
        <translation>Bitte stecken Sie Ihr Auto ab und hängen Sie das Kabel zurück. Danach erhalten Sie Ihren Beleg.</translation>
    </message>
    <message>
        <source>Stopped with your charging card.</source>
        <translation>Mit Ihrer Ladekarte beendet.</translation>
    </message>
    <message>
        <source>Stopped with your stop code.</source>
        <translation>Mit Ihrem Stopp-Code beendet.</translation>
    </message>
    <message>
        <source>Stopped as you asked.</source>
        <translation>Wie gewünscht beendet.</translation>
    </message>
    <message>
        <source>Cost: %1.</source>
        <translation>Kosten: %1.</translation>
    </message>
    <message>
        <source>Unplug within %1 to avoid the idle fee.</source>
        <translation>Stecken Sie innerhalb von %1 ab, um die Blockiergebühr zu vermeiden.</translation>
    </message>
    <message>
        <source>The idle fee is running.</source>
        <translation>Die Blockiergebühr läuft.</translation>
    </message>
    <message>
        <source>Idle fee: %1 per minute, at most %2, for blocking the charging point after charging.</source>
        <translation>Blockiergebühr: %1 pro Minute, höchstens %2, wenn der Ladepunkt nach dem Laden belegt bleibt.</translation>
    </message>
    <message>
        <source>Idle fee: %1 per minute for blocking the charging point after charging.</source>
        <translation>Blockiergebühr: %1 pro Minute, wenn der Ladepunkt nach dem Laden belegt bleibt.</translation>
    </message>
    <message>
        <source>No idle fee: the station stopped this session. Please unplug when you can.</source>
        <translation>Keine Blockiergebühr: die Station hat den Ladevorgang beendet. Bitte stecken Sie ab, sobald Sie können.</translation>
    </message>
    <message>
        <source>No idle fee here, but others may be waiting to charge.</source>
        <translation>Hier gibt es keine Blockiergebühr, aber andere warten vielleicht schon.</translation>
    </message>
    <message>
        <source>Stopped by the charger: %1</source>
        <translation>Von der Ladesäule beendet: %1</translation>
    </message>
    <message>
        <source>Cost so far</source>
        <translation>Bisherige Kosten</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Energie</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Dauer</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
</context>
<context>
    <name>GetReceiptScreen</name>
    <message>
        <source>Get a receipt</source>
        <translation>Beleg abrufen</translation>
    </message>
    <message>
        <source>Type the stop code of your session, or tap the charging card you paid with. Receipts of the last 24 hours.</source>
        <translation>Geben Sie den Stopp-Code Ihres Ladevorgangs ein oder halten Sie die Ladekarte an, mit der Sie bezahlt haben. Belege der letzten 24 Stunden.</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Paid with a charging card? Hold it to the reader.</source>
        <translation>Mit Ladekarte bezahlt? Halten Sie sie an das Lesegerät.</translation>
    </message>
    <message>
        <source>Overview</source>
        <translation>Übersicht</translation>
    </message>
</context>
<context>
    <name>HeaderBar</name>
    <message>
        <source>High contrast</source>
        <translation>Hoher Kontrast</translation>
    </message>
    <message>
        <source>Reach mode: all controls in the lower part of the screen</source>
        <translation>Tiefe Bedienung: alle Bedienelemente im unteren Bildschirmbereich</translation>
    </message>
</context>
<context>
    <name>HintBanner</name>
    <message>
        <source>This is a bank card: please use the card terminal below the screen. Nothing was read from it.</source>
        <translation>Das ist eine Bankkarte: Bitte nutzen Sie das Kartenterminal unter dem Bildschirm. Von der Karte wurde nichts gelesen.</translation>
    </message>
    <message>
        <source>This card could not be read. Please hold it flat on the reader until the screen changes.</source>
        <translation>Die Karte konnte nicht gelesen werden. Bitte halten Sie sie flach an das Lesegerät, bis sich der Bildschirm ändert.</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>EV charging</source>
        <translation>E-Auto laden</translation>
    </message>
    <message>
        <source>Reach mode is on: every control is in the lower part of the screen.</source>
        <translation>Tiefe Bedienung ist an: Alle Bedienelemente sind im unteren Bildschirmbereich.</translation>
    </message>
    <message>
        <source>Tap the reach button again to use the whole screen.</source>
        <translation>Tippen Sie erneut auf die Taste für tiefe Bedienung, um den ganzen Bildschirm zu nutzen.</translation>
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
        <translation>Laden und Kartenzahlung funktionieren weiterhin. Zahlen per Smartphone ist gerade nicht möglich.</translation>
    </message>
</context>
<context>
    <name>OfflineScreen</name>
    <message>
        <source>Charging point %1 is not responding</source>
        <translation>Ladepunkt %1 antwortet nicht</translation>
    </message>
    <message>
        <source>We are trying to reconnect. Please use another charging point for now.</source>
        <translation>Wir versuchen, die Verbindung wiederherzustellen. Bitte nutzen Sie vorerst einen anderen Ladepunkt.</translation>
    </message>
    <message>
        <source>Back to all charging points</source>
        <translation>Zurück zu allen Ladepunkten</translation>
    </message>
</context>
<context>
    <name>OutOfServiceScreen</name>
    <message>
        <source>This charging station is out of service</source>
        <translation>Diese Ladestation ist außer Betrieb</translation>
    </message>
    <message>
        <source>Charging point %1 is out of service</source>
        <translation>Ladepunkt %1 ist außer Betrieb</translation>
    </message>
    <message>
        <source>Please use another charging point. We are sorry for the inconvenience.</source>
        <translation>Bitte nutzen Sie einen anderen Ladepunkt. Wir bitten um Entschuldigung.</translation>
    </message>
    <message>
        <source>Its storage is full, so it cannot record charging sessions and payments.</source>
        <translation>Ihr Speicher ist voll, daher kann sie keine Ladevorgänge und Zahlungen aufzeichnen.</translation>
    </message>
    <message>
        <source>Its storage cannot be written, so it cannot record charging sessions and payments.</source>
        <translation>Ihr Speicher lässt sich nicht beschreiben, daher kann sie keine Ladevorgänge und Zahlungen aufzeichnen.</translation>
    </message>
    <message>
        <source>Its records are damaged, so it cannot record charging sessions and payments.</source>
        <translation>Ihre Aufzeichnungen sind beschädigt, daher kann sie keine Ladevorgänge und Zahlungen aufzeichnen.</translation>
    </message>
    <message>
        <source>Another program is using its records.</source>
        <translation>Ein anderes Programm verwendet ihre Aufzeichnungen.</translation>
    </message>
    <message>
        <source>It cannot record charging sessions and payments right now.</source>
        <translation>Sie kann gerade keine Ladevorgänge und Zahlungen aufzeichnen.</translation>
    </message>
    <message>
        <source>The station tries again by itself. No payment is taken meanwhile; a session that was running has been stopped, and you only pay for the energy recorded.</source>
        <translation>Die Station versucht es von selbst erneut. Bis dahin wird keine Zahlung angenommen; ein laufender Ladevorgang wurde beendet, und Sie zahlen nur die aufgezeichnete Energie.</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>Betreiber</translation>
    </message>
    <message>
        <source>Back to all charging points</source>
        <translation>Zurück zu allen Ladepunkten</translation>
    </message>
</context>
<context>
    <name>OverviewScreen</name>
    <message>
        <source>Choose a charging point</source>
        <translation>Ladepunkt wählen</translation>
    </message>
    <message>
        <source>You see the full price before you start. All prices include VAT.</source>
        <translation>Sie sehen den vollen Preis, bevor Sie starten. Alle Preise inkl. MwSt.</translation>
    </message>
    <message>
        <source>Pay with</source>
        <translation>Zahlen mit</translation>
    </message>
    <message>
        <source>Charging card</source>
        <translation>Ladekarte</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>Bankkarte</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Smartphone</translation>
    </message>
    <message>
        <source>Get a receipt</source>
        <translation>Beleg abrufen</translation>
    </message>
</context>
<context>
    <name>PaymentScreen</name>
    <message>
        <source>How would you like to pay?</source>
        <translation>Wie möchten Sie bezahlen?</translation>
    </message>
    <message>
        <source>Charging point %1</source>
        <translation>Ladepunkt %1</translation>
    </message>
    <message>
        <source>Charging card or key fob</source>
        <translation>Ladekarte oder Chip</translation>
    </message>
    <message>
        <source>For members and fleets. Billed to your account.</source>
        <translation>Für Mitglieder und Flotten. Abrechnung über Ihr Kundenkonto.</translation>
    </message>
    <message>
        <source>The card reader is not connected</source>
        <translation>Das Kartenlesegerät ist nicht verbunden</translation>
    </message>
    <message>
        <source>Bank card</source>
        <translation>Bankkarte</translation>
    </message>
    <message>
        <source>Debit or credit card, contactless or chip, or your phone&apos;s wallet.</source>
        <translation>Debit- oder Kreditkarte, kontaktlos oder mit Chip, oder per Wallet auf dem Smartphone.</translation>
    </message>
    <message>
        <source>Reserved: %1</source>
        <translation>Reserviert: %1</translation>
    </message>
    <message>
        <source>The card terminal is not available right now</source>
        <translation>Das Kartenterminal ist gerade nicht verfügbar</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Smartphone</translation>
    </message>
    <message>
        <source>Scan a QR code and pay on your phone.</source>
        <translation>QR-Code scannen und auf dem Smartphone bezahlen.</translation>
    </message>
    <message>
        <source>Not available while offline</source>
        <translation>Offline nicht verfügbar</translation>
    </message>
    <message>
        <source>A reserved amount is only held, not charged: you pay what you use, the rest is released when you unplug.</source>
        <translation>Ein reservierter Betrag wird nur vorgemerkt, nicht abgebucht: Sie zahlen, was Sie laden; der Rest wird beim Abstecken freigegeben.</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Zurück</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>PlugInScreen</name>
    <message>
        <source>Plug in your car</source>
        <translation>Stecken Sie Ihr Auto an</translation>
    </message>
    <message>
        <source>Payment accepted. Take the cable of charging point %1 and plug it into your car.</source>
        <translation>Zahlung akzeptiert. Nehmen Sie das Kabel von Ladepunkt %1 und stecken Sie es in Ihr Auto.</translation>
    </message>
    <message>
        <source>to plug in</source>
        <translation>zum Anstecken</translation>
    </message>
    <message>
        <source>Charging starts by itself. If no car is plugged in before the time runs out, we cancel and release your payment.</source>
        <translation>Der Ladevorgang startet von selbst. Wird bis zum Ablauf der Zeit kein Auto angesteckt, brechen wir ab und geben Ihre Zahlung frei.</translation>
    </message>
    <message>
        <source>Cancel and release payment</source>
        <translation>Abbrechen und Zahlung freigeben</translation>
    </message>
</context>
<context>
    <name>PowerChart</name>
    <message>
        <source>%1 min</source>
        <translation>%1 Min.</translation>
    </message>
    <message>
        <source>%1 h</source>
        <translation>%1 Std.</translation>
    </message>
    <message>
        <source>Charging power over time</source>
        <translation>Ladeleistung im Zeitverlauf</translation>
    </message>
</context>
<context>
    <name>PriceExample</name>
    <message>
        <source>Example: a charge starting now</source>
        <translation>Beispiel: eine Ladung ab jetzt</translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation>%1 Std. %2 Min.</translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation>%1 Min.</translation>
    </message>
    <message>
        <source>%1 kWh at %2 kW, about %3</source>
        <translation>%1 kWh mit %2 kW, etwa %3</translation>
    </message>
    <message>
        <source>From %1 during this charge: %2 %3</source>
        <translation>Ab %1 während dieser Ladung: %2 %3</translation>
    </message>
    <message>
        <source>From %1 during this charge: %2</source>
        <translation>Ab %1 während dieser Ladung: %2</translation>
    </message>
    <message>
        <source>An estimate: your car decides how fast it charges. You pay what the meter measures.</source>
        <translation>Eine Schätzung: Ihr Auto bestimmt, wie schnell es lädt. Sie zahlen, was der Zähler misst.</translation>
    </message>
</context>
<context>
    <name>PriceScreen</name>
    <message>
        <source>Price at charging point %1</source>
        <translation>Preis an Ladepunkt %1</translation>
    </message>
    <message>
        <source>This is what you pay. Nothing is charged before you start.</source>
        <translation>Das zahlen Sie. Vor dem Start wird nichts berechnet.</translation>
    </message>
    <message>
        <source>Now</source>
        <translation>Jetzt</translation>
    </message>
    <message>
        <source>Member price</source>
        <translation>Mitgliederpreis</translation>
    </message>
    <message>
        <source>Pay with your charging card to get it.</source>
        <translation>Zahlen Sie mit Ihrer Ladekarte, um ihn zu erhalten.</translation>
    </message>
    <message>
        <source>How paying works</source>
        <translation>So funktioniert das Bezahlen</translation>
    </message>
    <message>
        <source>Bank card: we reserve %1 and charge only what you use.</source>
        <translation>Bankkarte: Wir reservieren %1 und berechnen nur, was Sie laden.</translation>
    </message>
    <message>
        <source>Phone: we reserve %1 and charge only what you use.</source>
        <translation>Smartphone: Wir reservieren %1 und berechnen nur, was Sie laden.</translation>
    </message>
    <message>
        <source>Charging card: billed to your account.</source>
        <translation>Ladekarte: Abrechnung über Ihr Kundenkonto.</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Zurück</translation>
    </message>
    <message>
        <source>Continue to payment</source>
        <translation>Weiter zur Zahlung</translation>
    </message>
</context>
<context>
    <name>QrScreen</name>
    <message>
        <source>Pay with your phone</source>
        <translation>Mit dem Smartphone bezahlen</translation>
    </message>
    <message>
        <source>Scan the code with your phone&apos;s camera and pay on the page that opens.</source>
        <translation>Scannen Sie den Code mit der Kamera Ihres Smartphones und bezahlen Sie auf der Seite, die sich öffnet.</translation>
    </message>
    <message>
        <source>QR code for the payment page</source>
        <translation>QR-Code für die Bezahlseite</translation>
    </message>
    <message>
        <source>code valid</source>
        <translation>Code gültig</translation>
    </message>
    <message>
        <source>Open the camera and point it at the code.</source>
        <translation>Öffnen Sie die Kamera und richten Sie sie auf den Code.</translation>
    </message>
    <message>
        <source>Pay on the page that opens. We reserve %1.</source>
        <translation>Bezahlen Sie auf der geöffneten Seite. Wir reservieren %1.</translation>
    </message>
    <message>
        <source>Charging starts when you plug in.</source>
        <translation>Der Ladevorgang startet, sobald Sie anstecken.</translation>
    </message>
    <message>
        <source>Other payment</source>
        <translation>Andere Zahlungsart</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>ReceiptScreen</name>
    <message>
        <source>Thank you for charging</source>
        <translation>Danke fürs Laden</translation>
    </message>
    <message>
        <source>Here is your receipt. Your payment has been settled.</source>
        <translation>Hier ist Ihr Beleg. Ihre Zahlung ist abgerechnet.</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Gesamt</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Energie</translation>
    </message>
    <message>
        <source>Plugged in</source>
        <translation>Standzeit</translation>
    </message>
    <message>
        <source>Receipt %1</source>
        <translation>Beleg %1</translation>
    </message>
    <message>
        <source>incl. VAT %1</source>
        <translation>inkl. MwSt. %1</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <source>Stopped: %1</source>
        <translation>Beendet: %1</translation>
    </message>
    <message>
        <source>Paid with %1</source>
        <translation>Bezahlt mit %1</translation>
    </message>
    <message>
        <source>QR code for the e-receipt</source>
        <translation>QR-Code für den E-Beleg</translation>
    </message>
    <message>
        <source>Your e-receipt</source>
        <translation>Ihr E-Beleg</translation>
    </message>
    <message>
        <source>Scan the code to download the receipt as a PDF.</source>
        <translation>Scannen Sie den Code, um den Beleg als PDF zu laden.</translation>
    </message>
    <message>
        <source>This screen closes in %1.</source>
        <translation>Diese Anzeige schließt in %1.</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
</context>
<context>
    <name>StopCodePad</name>
    <message>
        <source>Stop this session</source>
        <translation>Diesen Ladevorgang beenden</translation>
    </message>
    <message>
        <source>Enter the 6-digit stop code shown when the session started, or tap the same charging card on the reader.</source>
        <translation>Geben Sie den 6-stelligen Stopp-Code ein, der beim Start angezeigt wurde, oder halten Sie dieselbe Ladekarte an das Lesegerät.</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation type="vanished">Beenden</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>Store</name>
    <message>
        <source>Type 2</source>
        <translation>Typ 2</translation>
    </message>
    <message>
        <source>Available</source>
        <translation>Frei</translation>
    </message>
    <message>
        <source>Charging</source>
        <translation>Lädt</translation>
    </message>
    <message>
        <source>Charging finished</source>
        <translation>Laden beendet</translation>
    </message>
    <message>
        <source>Out of service</source>
        <translation>Außer Betrieb</translation>
    </message>
    <message>
        <source>Fault</source>
        <translation>Störung</translation>
    </message>
    <message>
        <source>Not responding</source>
        <translation>Keine Verbindung</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <source>In use</source>
        <translation>Belegt</translation>
    </message>
    <message>
        <source>Energy</source>
        <translation>Energie</translation>
    </message>
    <message>
        <source>Charging time</source>
        <translation>Ladezeit</translation>
    </message>
    <message>
        <source>Parking</source>
        <translation>Parken</translation>
    </message>
    <message>
        <source>Session fee</source>
        <translation>Startgebühr</translation>
    </message>
    <message>
        <source>Idle fee</source>
        <translation>Blockiergebühr</translation>
    </message>
    <message>
        <source>Minimum price</source>
        <translation>Mindestpreis</translation>
    </message>
    <message>
        <source>Maximum price</source>
        <translation>Höchstpreis</translation>
    </message>
    <message>
        <source>The card was declined by the bank.</source>
        <translation>Die Bank hat die Karte abgelehnt.</translation>
    </message>
    <message>
        <source>There is not enough money on the card.</source>
        <translation>Die Karte hat keine ausreichende Deckung.</translation>
    </message>
    <message>
        <source>This charging card is blocked.</source>
        <translation>Diese Ladekarte ist gesperrt.</translation>
    </message>
    <message>
        <source>This charging card is not known here.</source>
        <translation>Diese Ladekarte ist hier nicht bekannt.</translation>
    </message>
    <message>
        <source>This charging card was refused.</source>
        <translation>Diese Ladekarte wurde abgelehnt.</translation>
    </message>
    <message>
        <source>This code does not match a running session.</source>
        <translation type="vanished">Dieser Code passt zu keinem laufenden Ladevorgang.</translation>
    </message>
    <message>
        <source>This charging point is busy.</source>
        <translation>Dieser Ladepunkt ist belegt.</translation>
    </message>
    <message>
        <source>Choose this way to pay first.</source>
        <translation>Bitte wählen Sie zuerst diese Zahlungsart.</translation>
    </message>
    <message>
        <source>This way to pay is not available right now.</source>
        <translation>Diese Zahlungsart ist gerade nicht verfügbar.</translation>
    </message>
    <message>
        <source>No charging session is running at this charging point.</source>
        <translation>An diesem Ladepunkt läuft kein Ladevorgang.</translation>
    </message>
    <message>
        <source>The charger could not start. Your payment is released.</source>
        <translation>Die Ladesäule konnte nicht starten. Ihre Zahlung wird freigegeben.</translation>
    </message>
    <message>
        <source>Residual current detected.</source>
        <translation>Fehlerstrom erkannt.</translation>
    </message>
</context>
<context>
    <name>TerminalScreen</name>
    <message>
        <source>Pay by bank card</source>
        <translation>Mit Bankkarte bezahlen</translation>
    </message>
    <message>
        <source>Cancelling the payment at the terminal…</source>
        <translation>Die Zahlung wird am Terminal abgebrochen …</translation>
    </message>
    <message>
        <source>Enter your PIN on the terminal.</source>
        <translation>Geben Sie Ihre PIN am Terminal ein.</translation>
    </message>
    <message>
        <source>Wrong PIN. Please enter it again on the terminal.</source>
        <translation>Falsche PIN. Bitte geben Sie sie am Terminal erneut ein.</translation>
    </message>
    <message>
        <source>The terminal is checking your card with your bank…</source>
        <translation>Das Terminal prüft Ihre Karte bei Ihrer Bank …</translation>
    </message>
    <message>
        <source>Please take your card from the terminal.</source>
        <translation>Bitte entnehmen Sie Ihre Karte aus dem Terminal.</translation>
    </message>
    <message>
        <source>Please follow the instructions on the terminal.</source>
        <translation>Bitte folgen Sie den Anweisungen am Terminal.</translation>
    </message>
    <message>
        <source>Insert or tap your card on the terminal below.</source>
        <translation>Stecken Sie Ihre Karte in das Terminal unten oder halten Sie sie daran.</translation>
    </message>
    <message>
        <source>The terminal is below the screen</source>
        <translation>Das Terminal ist unter dem Bildschirm</translation>
    </message>
    <message>
        <source>The terminal shows: %1</source>
        <translation>Das Terminal zeigt: %1</translation>
    </message>
    <message>
        <source>We reserve %1 on your card. When you unplug, we charge only what you used and release the rest.</source>
        <translation>Wir reservieren %1 auf Ihrer Karte. Beim Abstecken berechnen wir nur, was Sie geladen haben, und geben den Rest frei.</translation>
    </message>
    <message>
        <source>This screen closes in %1 if nothing happens.</source>
        <translation>Ohne Eingabe schließt diese Anzeige in %1.</translation>
    </message>
    <message>
        <source>Other payment</source>
        <translation>Andere Zahlungsart</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
<context>
    <name>TimeoutScreen</name>
    <message>
        <source>Time ran out</source>
        <translation>Zeit abgelaufen</translation>
    </message>
    <message>
        <source>No car was plugged in, so we stopped waiting.</source>
        <translation>Es wurde kein Auto angeschlossen, daher warten wir nicht länger.</translation>
    </message>
    <message>
        <source>Nothing happened for a while, so we stopped waiting.</source>
        <translation>Eine Weile ist nichts passiert, deshalb haben wir den Vorgang beendet.</translation>
    </message>
    <message>
        <source>This session was cancelled: nothing is billed to your charging account.</source>
        <translation>Diese Sitzung wurde abgebrochen: Ihrem Ladekonto wird nichts berechnet.</translation>
    </message>
    <message>
        <source>No charging card was presented: nothing is billed.</source>
        <translation>Es wurde keine Ladekarte vorgehalten: Es wird nichts berechnet.</translation>
    </message>
    <message>
        <source>The amount reserved for your phone payment has been released.</source>
        <translation>Der für Ihre Zahlung per Handy reservierte Betrag wurde freigegeben.</translation>
    </message>
    <message>
        <source>The payment code has expired and nothing was paid.</source>
        <translation>Der Zahlungscode ist abgelaufen, es wurde nichts bezahlt.</translation>
    </message>
    <message>
        <source>The amount reserved on your card has been released. Your bank may take a few days to show it.</source>
        <translation>Der auf Ihrer Karte reservierte Betrag wurde freigegeben. Ihre Bank zeigt das möglicherweise erst nach einigen Tagen an.</translation>
    </message>
    <message>
        <source>No card was presented: nothing was reserved.</source>
        <translation>Es wurde keine Karte vorgehalten: Es wurde nichts reserviert.</translation>
    </message>
    <message>
        <source>Nothing has been charged.</source>
        <translation>Es wurde nichts berechnet.</translation>
    </message>
    <message>
        <source>You can start again whenever you are ready.</source>
        <translation>Sie können jederzeit neu beginnen.</translation>
    </message>
    <message>
        <source>Any amount reserved on your card has been released. You can start again whenever you are ready.</source>
        <translation type="vanished">Ein auf Ihrer Karte reservierter Betrag wurde freigegeben. Sie können jederzeit neu starten.</translation>
    </message>
    <message>
        <source>Start again</source>
        <translation>Neu starten</translation>
    </message>
</context>
<context>
    <name>WaitCardScreen</name>
    <message>
        <source>Tap your charging card</source>
        <translation>Ladekarte auflegen</translation>
    </message>
    <message>
        <source>Hold your card or key fob flat on the reader below the screen.</source>
        <translation>Halten Sie Ihre Karte oder Ihren Chip flach an das Lesegerät unter dem Bildschirm.</translation>
    </message>
    <message>
        <source>The reader is below the screen</source>
        <translation>Das Lesegerät ist unter dem Bildschirm</translation>
    </message>
    <message>
        <source>This screen closes in %1 if nothing happens.</source>
        <translation>Ohne Eingabe schließt diese Anzeige in %1.</translation>
    </message>
    <message>
        <source>Other payment</source>
        <translation>Andere Zahlungsart</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
</context>
</TS>
