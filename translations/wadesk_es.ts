<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en">
<context>
    <name>wadesk::AddClientDialog</name>
    <message>
        <location filename="../ui/sessions/ClientDialogs.cpp" line="19"/>
        <source>Add client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientDialogs.cpp" line="26"/>
        <source>Front desk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientDialogs.cpp" line="27"/>
        <source>Client name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientDialogs.cpp" line="31"/>
        <source>+14155552671 (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientDialogs.cpp" line="32"/>
        <source>Phone number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientDialogs.cpp" line="33"/>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientDialogs.cpp" line="34"/>
        <source>&amp;Phone number:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientDialogs.cpp" line="36"/>
        <source>After adding, start the client and scan its QR code with the phone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientDialogs.cpp" line="45"/>
        <source>&amp;Add</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ClientActions</name>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="32"/>
        <source>Your role may not manage clients.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="42"/>
        <source>&amp;Add Client…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="43"/>
        <source>Add a WhatsApp client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="44"/>
        <source>Re&amp;name Client…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="45"/>
        <source>Rename the selected client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="46"/>
        <source>&amp;Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="47"/>
        <source>Start the selected client&apos;s session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="48"/>
        <source>S&amp;top</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="49"/>
        <source>Stop the selected client&apos;s session (it stays linked)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="50"/>
        <source>&amp;Log Out of WhatsApp…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="51"/>
        <source>Unlink the selected client&apos;s phone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="52"/>
        <source>&amp;Pause Sending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="53"/>
        <source>Hold the selected client&apos;s send queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="54"/>
        <source>&amp;Resume Sending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="55"/>
        <source>Let the selected client&apos;s send queue move again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="124"/>
        <location filename="../ui/sessions/ClientActions.cpp" line="140"/>
        <source>The name must be 1 to 100 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="164"/>
        <source>The session could not start: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="193"/>
        <source>The client is not running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="232"/>
        <source>WaDesk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="265"/>
        <source>Log out of WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientActions.cpp" line="266"/>
        <source>Unlink &quot;%1&quot; from its phone? Linking it again needs a new QR scan with the phone.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::Composer</name>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="24"/>
        <source>&amp;To:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="27"/>
        <source>Phone number, e.g. +14155552671</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="28"/>
        <source>Recipient phone number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="33"/>
        <source>Write a message (Ctrl+Enter sends)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="34"/>
        <source>Message text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="38"/>
        <source>&amp;Send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="40"/>
        <source>Send message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="41"/>
        <source>Send (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/conversations/Composer.cpp" line="114"/>
        <source>Try again in %n second(s).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="119"/>
        <source>Queued.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ContactListModel</name>
    <message>
        <location filename="../ui/models/ContactListModel.cpp" line="42"/>
        <source>%1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/ContactListModel.cpp" line="45"/>
        <source>%1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/ContactListModel.cpp" line="47"/>
        <source> (opted out)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/ContactListModel.cpp" line="49"/>
        <source>, tags: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::ConversationsView</name>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="43"/>
        <source>Search contacts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="44"/>
        <source>Search contacts by name or number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="50"/>
        <source>Contacts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="68"/>
        <source>Messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="79"/>
        <source>Your role can read conversations but not send messages.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="174"/>
        <source>Select a client to see its conversations.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="179"/>
        <source>Select a contact, or write to a new number below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="184"/>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::DesktopShell</name>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="69"/>
        <source>&amp;Show WaDesk</source>
        <translation>&amp;Mostrar WaDesk</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="73"/>
        <source>&amp;Pause all clients</source>
        <translation>&amp;Pausar todos los clientes</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="75"/>
        <source>Stop every client&apos;s send queue until it is resumed</source>
        <translation>Detener la cola de envío de cada cliente hasta que se reanude</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="78"/>
        <source>Desktop &amp;notifications</source>
        <translation>&amp;Notificaciones de escritorio</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="81"/>
        <source>Show a notification when a message arrives</source>
        <translation>Mostrar una notificación cuando llegue un mensaje</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="93"/>
        <source>Sign &amp;out</source>
        <translation>&amp;Cerrar sesión</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="97"/>
        <source>&amp;Quit WaDesk</source>
        <translation>&amp;Salir de WaDesk</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="255"/>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="289"/>
        <source>WaDesk keeps running in the tray. Use Quit in its menu to stop it.</source>
        <translation>WaDesk sigue ejecutándose en la bandeja del sistema. Use «Salir de WaDesk» en su menú para detenerlo.</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="321"/>
        <source>New message from %1</source>
        <translation>Nuevo mensaje de %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/shell/DesktopShell.cpp" line="330"/>
        <source>WaDesk: %n unread message(s)</source>
        <translation>
            <numerusform>WaDesk: %n mensaje sin leer</numerusform>
            <numerusform>WaDesk: %n mensajes sin leer</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="330"/>
        <source>WaDesk: no unread messages</source>
        <translation>WaDesk: no hay mensajes sin leer</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="350"/>
        <location filename="../ui/shell/DesktopShell.cpp" line="360"/>
        <source>Pause all clients</source>
        <translation>Pausar todos los clientes</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="351"/>
        <source>Stop sending on every client of your organization? Queued messages stay queued until each client is resumed.</source>
        <translation>¿Detener el envío en todos los clientes de su organización? Los mensajes en cola permanecen en cola hasta que se reanude cada cliente.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/shell/DesktopShell.cpp" line="356"/>
        <source>%n client(s) paused.</source>
        <translation>
            <numerusform>%n cliente pausado.</numerusform>
            <numerusform>%n clientes pausados.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunApiPage</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="360"/>
        <source>REST API</source>
        <translation>API REST</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="361"/>
        <source>Other systems send and receive messages through WaDesk&apos;s REST API. By default it answers only on this computer.</source>
        <translation>Otros sistemas envían y reciben mensajes a través de la API REST de WaDesk. De forma predeterminada solo responde en este equipo.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="367"/>
        <source>API address</source>
        <translation>Dirección de la API</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="368"/>
        <source>&amp;Address:</source>
        <translation>&amp;Dirección:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="371"/>
        <source>API port</source>
        <translation>Puerto de la API</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="374"/>
        <source>&amp;Port:</source>
        <translation>&amp;Puerto:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="376"/>
        <source>I understand that this address &amp;exposes the API to the network</source>
        <translation>Entiendo que esta dirección &amp;expone la API a la red</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="378"/>
        <source>Acknowledge that the API is exposed to the network</source>
        <translation>Confirmar que la API queda expuesta a la red</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="380"/>
        <source>This address is reachable from other computers. Put WaDesk behind TLS (a reverse proxy) and keep API keys secret.</source>
        <translation>Esta dirección es accesible desde otros equipos. Ponga WaDesk detrás de TLS (un proxy inverso) y mantenga en secreto las claves de API.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="407"/>
        <source>Enter an IP address, such as 127.0.0.1 (this computer only) or 0.0.0.0 (every network).</source>
        <translation>Introduzca una dirección IP, como 127.0.0.1 (solo este equipo) o 0.0.0.0 (todas las redes).</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="412"/>
        <source>%1 is not a loopback address: confirm that the API may be exposed to the network, or use 127.0.0.1.</source>
        <translation>%1 no es una dirección de loopback: confirme que la API puede quedar expuesta a la red o use 127.0.0.1.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunDatabasePage</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="128"/>
        <source>Database</source>
        <translation>Base de datos</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="129"/>
        <source>Where WaDesk keeps its data. The embedded database suits one computer; use PostgreSQL to run several WaDesk instances on the same data.</source>
        <translation>Dónde guarda WaDesk sus datos. La base de datos integrada basta para un equipo; use PostgreSQL para ejecutar varias instancias de WaDesk sobre los mismos datos.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="132"/>
        <source>&amp;Embedded database (SQLite, recommended)</source>
        <translation>Base de datos &amp;integrada (SQLite, recomendada)</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="134"/>
        <source>Embedded SQLite database</source>
        <translation>Base de datos SQLite integrada</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="137"/>
        <source>File: %1</source>
        <translation>Archivo: %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="143"/>
        <source>&amp;PostgreSQL server</source>
        <translation>Servidor &amp;PostgreSQL</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="145"/>
        <source>PostgreSQL server</source>
        <translation>Servidor PostgreSQL</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="151"/>
        <source>PostgreSQL URL</source>
        <translation>URL de PostgreSQL</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="154"/>
        <source>&amp;Test connection</source>
        <translation>&amp;Probar conexión</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="156"/>
        <source>Test the PostgreSQL connection</source>
        <translation>Probar la conexión con PostgreSQL</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="164"/>
        <source>Connection test result</source>
        <translation>Resultado de la prueba de conexión</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="176"/>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="216"/>
        <source>Connected.</source>
        <translation>Conectado.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="179"/>
        <source>The connection failed: %1</source>
        <translation>La conexión falló: %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="230"/>
        <source>Enter a URL of the form postgres://user:password@host:5432/database.</source>
        <translation>Introduzca una URL de la forma postgres://usuario:contraseña@host:5432/basededatos.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="235"/>
        <source>Connecting to %1…</source>
        <translation>Conectando con %1…</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunOrganizationPage</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="68"/>
        <source>Your organization</source>
        <translation>Su organización</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="69"/>
        <source>WaDesk keeps each organization&apos;s clients, messages and team apart. Create yours and its first administrator: you.</source>
        <translation>WaDesk mantiene separados los clientes, mensajes y equipo de cada organización. Cree la suya y su primer administrador: usted.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="73"/>
        <source>&amp;Organization:</source>
        <translation>&amp;Organización:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="73"/>
        <source>Organization name</source>
        <translation>Nombre de la organización</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="75"/>
        <source>Your &amp;name:</source>
        <translation>Su &amp;nombre:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="75"/>
        <source>Your name</source>
        <translation>Su nombre</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="77"/>
        <source>&amp;Email:</source>
        <translation>&amp;Correo electrónico:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="77"/>
        <source>Email address</source>
        <translation>Dirección de correo electrónico</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="80"/>
        <source>&amp;Password:</source>
        <translation>&amp;Contraseña:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="80"/>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="83"/>
        <source>at least %n characters</source>
        <translation>
            <numerusform>al menos %n carácter</numerusform>
            <numerusform>al menos %n caracteres</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="84"/>
        <source>&amp;Confirm password:</source>
        <translation>Co&amp;nfirmar contraseña:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="84"/>
        <source>Confirm password</source>
        <translation>Confirmar contraseña</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="105"/>
        <source>Enter the organization&apos;s name (at most 200 characters).</source>
        <translation>Introduzca el nombre de la organización (como máximo 200 caracteres).</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="107"/>
        <source>Enter your name (at most 100 characters).</source>
        <translation>Introduzca su nombre (como máximo 100 caracteres).</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="109"/>
        <source>Enter a valid email address.</source>
        <translation>Introduzca una dirección de correo electrónico válida.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="111"/>
        <source>The password must be %1 to %2 characters long.</source>
        <translation>La contraseña debe tener entre %1 y %2 caracteres.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="115"/>
        <source>The two passwords differ.</source>
        <translation>Las dos contraseñas no coinciden.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSecretsPage</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="248"/>
        <source>Secrets</source>
        <translation>Secretos</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="249"/>
        <source>WaDesk encrypts its secrets with a master key. Choose where that key is kept, and back it up together with the database.</source>
        <translation>WaDesk cifra sus secretos con una clave maestra. Elija dónde se guarda y haga una copia de seguridad junto con la base de datos.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="252"/>
        <source>The system &amp;keychain</source>
        <translation>El &amp;llavero del sistema</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="254"/>
        <source>Keep the master key in the system keychain</source>
        <translation>Guardar la clave maestra en el llavero del sistema</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="257"/>
        <source>A key &amp;file readable only by you (%1)</source>
        <translation>Un &amp;archivo de clave que solo usted puede leer (%1)</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="260"/>
        <source>Keep the master key in a key file</source>
        <translation>Guardar la clave maestra en un archivo de clave</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="262"/>
        <source>The &amp;environment variable WADESK_MASTER_KEY</source>
        <translation>La variable de &amp;entorno WADESK_MASTER_KEY</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="264"/>
        <source>Take the master key from WADESK_MASTER_KEY</source>
        <translation>Tomar la clave maestra de WADESK_MASTER_KEY</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="270"/>
        <source>Keychain check result</source>
        <translation>Resultado de la comprobación del llavero</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="272"/>
        <source>Check the keychain &amp;again</source>
        <translation>Comprobar el llavero de &amp;nuevo</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="274"/>
        <source>Check the system keychain again</source>
        <translation>Comprobar de nuevo el llavero del sistema</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="285"/>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="297"/>
        <source>Checking the system keychain…</source>
        <translation>Comprobando el llavero del sistema…</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="315"/>
        <source>The system keychain works here: it is the recommended place.</source>
        <translation>El llavero del sistema funciona aquí: es el lugar recomendado.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="318"/>
        <source>A system keychain exists but refused access (%1). Unlock it and check again, or use a key file.</source>
        <translation>Existe un llavero del sistema, pero denegó el acceso (%1). Desbloquéelo y compruebe de nuevo, o use un archivo de clave.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="322"/>
        <source>No system keychain is available here (%1): the key file is used instead. Keep a backup of it.</source>
        <translation>No hay ningún llavero del sistema disponible aquí (%1): se usa el archivo de clave en su lugar. Guarde una copia de seguridad.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="323"/>
        <source>no Secret Service or KWallet</source>
        <translation>ni Secret Service ni KWallet</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="327"/>
        <source>WADESK_MASTER_KEY is set in the environment: it takes precedence while it is set.</source>
        <translation>WADESK_MASTER_KEY está definida en el entorno: tiene prioridad mientras esté definida.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSummaryPage</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="427"/>
        <source>Ready</source>
        <translation>Listo</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="428"/>
        <source>Nothing has been written yet. Press Finish to create the organization and save these settings.</source>
        <translation>Todavía no se ha escrito nada. Pulse «Finalizar» para crear la organización y guardar esta configuración.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="435"/>
        <source>Summary of the choices</source>
        <translation>Resumen de las opciones</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="457"/>
        <source>PostgreSQL: %1</source>
        <translation>PostgreSQL: %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="458"/>
        <source>SQLite: %1</source>
        <translation>SQLite: %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="461"/>
        <source>the system keychain</source>
        <translation>el llavero del sistema</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="463"/>
        <source>the environment variable WADESK_MASTER_KEY</source>
        <translation>la variable de entorno WADESK_MASTER_KEY</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="465"/>
        <source>key file %1</source>
        <translation>archivo de clave %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="468"/>
        <source>(exposed to the network)</source>
        <translation>(expuesta a la red)</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="469"/>
        <source>Organization</source>
        <translation>Organización</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="470"/>
        <source>Administrator</source>
        <translation>Administrador</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="471"/>
        <source>Database</source>
        <translation>Base de datos</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="471"/>
        <source>Master key</source>
        <translation>Clave maestra</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="471"/>
        <source>REST API</source>
        <translation>API REST</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="472"/>
        <source>Settings file</source>
        <translation>Archivo de configuración</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="478"/>
        <source>Creating the organization and saving the settings…</source>
        <translation>Creando la organización y guardando la configuración…</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunWizard</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="37"/>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="491"/>
        <source>Welcome to %1</source>
        <translation>Bienvenido a %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="575"/>
        <source>WaDesk could not be set up: %1</source>
        <translation>No se pudo configurar WaDesk: %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="602"/>
        <source>WaDesk is ready</source>
        <translation>WaDesk está listo</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="603"/>
        <source>The organization %1 and its administrator %2 were created. Sign in next.</source>
        <translation>Se crearon la organización %1 y su administrador %2. A continuación, inicie sesión.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="605"/>
        <source>The organization&apos;s first API key is shown below, this once only. Copy it now if an integration needs it; you can create others later.</source>
        <translation>La primera clave de API de la organización se muestra abajo, solo esta vez. Cópiela ahora si una integración la necesita; puede crear otras más adelante.</translation>
    </message>
</context>
<context>
    <name>wadesk::MainWindow</name>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="48"/>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="61"/>
        <source>WhatsApp clients</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="70"/>
        <source>Selected client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="74"/>
        <source>&amp;WhatsApp</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="75"/>
        <source>C&amp;onversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="76"/>
        <source>The client&apos;s live WhatsApp Web page (Ctrl+1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="77"/>
        <source>Contacts, messages and sending (Ctrl+2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="143"/>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="151"/>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="156"/>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="160"/>
        <source>&amp;Find Contact</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="167"/>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="169"/>
        <source>&amp;WhatsApp Page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="172"/>
        <source>&amp;Conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="175"/>
        <source>Client &amp;List</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="179"/>
        <source>&amp;Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="183"/>
        <source>Main Toolbar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="193"/>
        <source>&amp;Client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="204"/>
        <source>&amp;Help</source>
        <translation>A&amp;yuda</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="206"/>
        <source>&amp;About WaDesk</source>
        <translation>&amp;Acerca de WaDesk</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="209"/>
        <source>About &amp;Qt</source>
        <translation>Acerca de &amp;Qt</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="229"/>
        <source>Secrets: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="240"/>
        <source>off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="245"/>
        <source>checking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="253"/>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="255"/>
        <source>degraded (HTTP %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="257"/>
        <source>not answering</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="265"/>
        <source>API: off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="265"/>
        <source>API: %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="274"/>
        <source>Ready: %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="275"/>
        <source>Clients whose WhatsApp session is ready, of the clients you see</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="322"/>
        <source>Show &amp;WhatsApp Page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="323"/>
        <source>Show &amp;Conversations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="342"/>
        <source>&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Runs a team&apos;s WhatsApp sessions, with a REST API and signed webhooks.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;br&gt;wa-js %6&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="346"/>
        <source>(not loaded)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>WaDesk is running. The REST API listens on %1.</source>
        <translation type="vanished">WaDesk está en marcha. La API REST escucha en %1.</translation>
    </message>
    <message>
        <source>API: %1</source>
        <translation type="vanished">API: %1</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="227"/>
        <source>Database: %1</source>
        <translation>Base de datos: %1</translation>
    </message>
    <message>
        <source>&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Runs a team&apos;s WhatsApp sessions, with a REST API and signed webhooks.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;/p&gt;</source>
        <translation type="vanished">&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Gestiona las sesiones de WhatsApp de un equipo, con una API REST y webhooks firmados.&lt;/p&gt;&lt;p&gt;Qt %2 (compilado con %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="351"/>
        <source>About WaDesk</source>
        <translation>Acerca de WaDesk</translation>
    </message>
</context>
<context>
    <name>wadesk::MessageDelegate</name>
    <message>
        <location filename="../ui/conversations/MessageDelegate.cpp" line="73"/>
        <source>Not sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/MessageDelegate.cpp" line="73"/>
        <source>Not sent: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::MessageThreadModel</name>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="28"/>
        <source>Queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="30"/>
        <source>Sending</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="32"/>
        <source>Sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="34"/>
        <source>Delivered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="36"/>
        <source>Read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="38"/>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="40"/>
        <source>Received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="63"/>
        <source>Sent by you at %1, %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="64"/>
        <source>Received at %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="66"/>
        <source> (failed: %1)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::RateLimitStrip</name>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="34"/>
        <source>Sending limits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="105"/>
        <source>Limits unavailable: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="116"/>
        <source>%1: %2/%3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="117"/>
        <source>%1 used %2 of %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="122"/>
        <source>Minute</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="123"/>
        <source>Hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="124"/>
        <source>Day</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="126"/>
        <source>Queue: %n</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="129"/>
        <source>(last leaves about %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="134"/>
        <source>Sending paused</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::RenameClientDialog</name>
    <message>
        <location filename="../ui/sessions/ClientDialogs.cpp" line="70"/>
        <source>Rename client</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientDialogs.cpp" line="76"/>
        <source>New name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientDialogs.cpp" line="78"/>
        <source>&amp;Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/ClientDialogs.cpp" line="81"/>
        <source>&amp;Rename</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::SessionListDelegate</name>
    <message>
        <location filename="../ui/sessions/SessionListDelegate.cpp" line="85"/>
        <source>paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/sessions/SessionListDelegate.cpp" line="87"/>
        <source>%n queued</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/sessions/SessionListDelegate.cpp" line="102"/>
        <source>no number linked</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::SessionListModel</name>
    <message>
        <location filename="../ui/models/SessionListModel.cpp" line="40"/>
        <source>Stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/SessionListModel.cpp" line="41"/>
        <source>Starting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/SessionListModel.cpp" line="42"/>
        <source>Scan QR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/SessionListModel.cpp" line="43"/>
        <source>Linking</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/SessionListModel.cpp" line="44"/>
        <source>Ready</source>
        <translation type="unfinished">Listo</translation>
    </message>
    <message>
        <location filename="../ui/models/SessionListModel.cpp" line="45"/>
        <source>Disconnected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/SessionListModel.cpp" line="46"/>
        <source>Logged out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/SessionListModel.cpp" line="47"/>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/SessionListModel.cpp" line="48"/>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/SessionListModel.cpp" line="62"/>
        <source>%1 — %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/SessionListModel.cpp" line="68"/>
        <source>%1, %2, %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/models/SessionListModel.cpp" line="68"/>
        <source>no number linked</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/models/SessionListModel.cpp" line="70"/>
        <source>, %n unread</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/models/SessionListModel.cpp" line="72"/>
        <source>, %n queued</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/models/SessionListModel.cpp" line="74"/>
        <source>, queue paused</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::SessionView</name>
    <message>
        <location filename="../ui/sessions/SessionView.cpp" line="132"/>
        <source>No client selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/SessionView.cpp" line="152"/>
        <source>Session state: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/SessionView.cpp" line="157"/>
        <source>On the phone open WhatsApp → Settings → Linked devices → Link a device, and scan the code below.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/SessionView.cpp" line="158"/>
        <source>Waiting for an operator to link this number.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/SessionView.cpp" line="160"/>
        <source>The code expired: click &quot;Reload the QR code&quot; on the page.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/SessionView.cpp" line="168"/>
        <source>Linked to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/SessionView.cpp" line="187"/>
        <source>Select a client on the left.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/SessionView.cpp" line="189"/>
        <source>This client is waiting to be linked by an operator.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/SessionView.cpp" line="191"/>
        <source>The session failed: %1
Start it again from the Client menu.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/SessionView.cpp" line="194"/>
        <source>The session of this client is not running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../ui/sessions/SessionView.cpp" line="201"/>
        <source>WhatsApp Web of %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>wadesk::SignInDialog</name>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="41"/>
        <source>Sign in to %1</source>
        <translation>Iniciar sesión en %1</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="46"/>
        <source>Sign in with your WaDesk account.</source>
        <translation>Inicie sesión con su cuenta de WaDesk.</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="52"/>
        <source>Email address</source>
        <translation>Dirección de correo electrónico</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="55"/>
        <source>&amp;Email:</source>
        <translation>&amp;Correo electrónico:</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="58"/>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="61"/>
        <source>&amp;Password:</source>
        <translation>&amp;Contraseña:</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="65"/>
        <source>Sign-in error</source>
        <translation>Error de inicio de sesión</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="72"/>
        <source>&amp;Sign in</source>
        <translation>&amp;Iniciar sesión</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="74"/>
        <source>Sign in</source>
        <translation>Iniciar sesión</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="76"/>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="78"/>
        <source>Quit WaDesk</source>
        <translation>Salir de WaDesk</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="138"/>
        <source>Enter your email address.</source>
        <translation>Introduzca su dirección de correo electrónico.</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="140"/>
        <source>Enter your password.</source>
        <translation>Introduzca su contraseña.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/signin/SignInDialog.cpp" line="145"/>
        <location filename="../ui/signin/SignInDialog.cpp" line="179"/>
        <source>Too many attempts, try again in %n s</source>
        <translation>
            <numerusform>Demasiados intentos, vuelva a intentarlo en %n s</numerusform>
            <numerusform>Demasiados intentos, vuelva a intentarlo en %n s</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="146"/>
        <location filename="../ui/signin/SignInDialog.cpp" line="180"/>
        <source>Signing in failed: %1</source>
        <translation>Error al iniciar sesión: %1</translation>
    </message>
    <message>
        <location filename="../ui/signin/SignInDialog.cpp" line="177"/>
        <source>Invalid email or password</source>
        <translation>Correo electrónico o contraseña no válidos</translation>
    </message>
</context>
</TS>
