<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en">
<context>
    <name>wadesk::AddClientDialog</name>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="19"/>
        <source>Add client</source>
        <translation>Añadir cliente</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="26"/>
        <source>Front desk</source>
        <translation>Recepción</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="27"/>
        <source>Client name</source>
        <translation>Nombre del cliente</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="31"/>
        <source>+14155552671 (optional)</source>
        <translation>+14155552671 (opcional)</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="32"/>
        <source>Phone number</source>
        <translation>Número de teléfono</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="33"/>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="34"/>
        <source>&amp;Phone number:</source>
        <translation>Número de &amp;teléfono:</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="36"/>
        <source>After adding, start the client and scan its QR code with the phone.</source>
        <translation>Después de añadirlo, inicie el cliente y escanee su código QR con el teléfono.</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="45"/>
        <source>&amp;Add</source>
        <translation>&amp;Añadir</translation>
    </message>
</context>
<context>
    <name>wadesk::AddMemberDialog</name>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="19"/>
        <source>Add team member</source>
        <translation>Añadir miembro del equipo</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="25"/>
        <source>Email address</source>
        <translation>Dirección de correo electrónico</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="28"/>
        <source>name@example.com</source>
        <translation>nombre@example.com</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="31"/>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="35"/>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="43"/>
        <source>Initial password</source>
        <translation>Contraseña inicial</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/team/AddMemberDialog.cpp" line="46"/>
        <source>at least %n characters</source>
        <translation>
            <numerusform>al menos %n carácter</numerusform>
            <numerusform>al menos %n caracteres</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="47"/>
        <source>&amp;Email:</source>
        <translation>&amp;Correo electrónico:</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="48"/>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="49"/>
        <source>&amp;Role:</source>
        <translation>&amp;Rol:</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="50"/>
        <source>Initial &amp;password:</source>
        <translation>Contraseña &amp;inicial:</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="52"/>
        <source>The new member signs in with this email and password; pass the password on to them safely.</source>
        <translation>El nuevo miembro inicia sesión con este correo electrónico y esta contraseña; hágale llegar la contraseña de forma segura.</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="57"/>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="64"/>
        <source>&amp;Add</source>
        <translation>&amp;Añadir</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="66"/>
        <source>Add member</source>
        <translation>Añadir miembro</translation>
    </message>
    <message>
        <location filename="../ui/team/AddMemberDialog.cpp" line="67"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>wadesk::AssignProxyDialog</name>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="20"/>
        <source>Assign proxy</source>
        <translation>Asignar proxy</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="26"/>
        <source>Client</source>
        <translation>Cliente</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="34"/>
        <source>Proxy</source>
        <translation>Proxy</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="35"/>
        <source>Automatic (the least used healthy proxy)</source>
        <translation>Automático (el proxy operativo menos usado)</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="36"/>
        <source>No proxy (connect directly)</source>
        <translation>Sin proxy (conexión directa)</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="38"/>
        <source>%1 — %2, %3 of %4 clients, %5</source>
        <translation>%1 — %2, %3 de %4 clientes, %5</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="45"/>
        <source>&amp;Move to another healthy proxy when this one is down</source>
        <translation>&amp;Pasar a otro proxy operativo cuando este no funcione</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="47"/>
        <source>Allow failover to another proxy</source>
        <translation>Permitir el cambio a otro proxy</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="48"/>
        <source>Off: while its proxy is down the client waits, and never connects directly.</source>
        <translation>Desactivado: mientras su proxy no funcione, el cliente espera y nunca se conecta directamente.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="49"/>
        <source>C&amp;lient:</source>
        <translation>C&amp;liente:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="50"/>
        <source>Now:</source>
        <translation>Ahora:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="51"/>
        <source>&amp;Proxy:</source>
        <translation>&amp;Proxy:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="54"/>
        <source>The client keeps this proxy: WaDesk does not rotate addresses, since a number that changes address looks automated.</source>
        <translation>El cliente conserva este proxy: WaDesk no rota direcciones, porque un número que cambia de dirección parece automatizado.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="61"/>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="70"/>
        <source>&amp;Assign</source>
        <translation>&amp;Asignar</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="73"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location filename="../ui/proxies/AssignProxyDialog.cpp" line="96"/>
        <source>No proxy</source>
        <translation>Sin proxy</translation>
    </message>
</context>
<context>
    <name>wadesk::AttachmentFiles</name>
    <message>
        <location filename="../ui/conversations/AttachmentFiles.cpp" line="75"/>
        <source>The file is no longer stored.</source>
        <translation>El archivo ya no está almacenado.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/AttachmentFiles.cpp" line="78"/>
        <source>%1 cannot be written: %2</source>
        <translation>No se puede escribir %1: %2</translation>
    </message>
    <message>
        <location filename="../ui/conversations/AttachmentFiles.cpp" line="90"/>
        <source>The stored file could not be read whole.</source>
        <translation>No se pudo leer el archivo almacenado completo.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/AttachmentFiles.cpp" line="105"/>
        <source>No temporary folder could be made: %1</source>
        <translation>No se pudo crear una carpeta temporal: %1</translation>
    </message>
</context>
<context>
    <name>wadesk::ClientActions</name>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="32"/>
        <source>Your role may not manage clients.</source>
        <translation>Su rol no puede administrar clientes.</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="42"/>
        <source>&amp;Add Client…</source>
        <translation>&amp;Añadir cliente…</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="43"/>
        <source>Add a WhatsApp client</source>
        <translation>Añadir un cliente de WhatsApp</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="44"/>
        <source>Re&amp;name Client…</source>
        <translation>Cambiar &amp;nombre del cliente…</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="45"/>
        <source>Rename the selected client</source>
        <translation>Cambiar el nombre del cliente seleccionado</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="46"/>
        <source>&amp;Start</source>
        <translation>&amp;Iniciar</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="47"/>
        <source>Start the selected client&apos;s session</source>
        <translation>Iniciar la sesión del cliente seleccionado</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="48"/>
        <source>S&amp;top</source>
        <translation>&amp;Detener</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="49"/>
        <source>Stop the selected client&apos;s session (it stays linked)</source>
        <translation>Detener la sesión del cliente seleccionado (sigue vinculado)</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="50"/>
        <source>&amp;Log Out of WhatsApp…</source>
        <translation>Cerrar &amp;sesión de WhatsApp…</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="51"/>
        <source>Unlink the selected client&apos;s phone</source>
        <translation>Desvincular el teléfono del cliente seleccionado</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="52"/>
        <source>&amp;Pause Sending</source>
        <translation>&amp;Pausar envío</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="53"/>
        <source>Hold the selected client&apos;s send queue</source>
        <translation>Retener la cola de envío del cliente seleccionado</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="54"/>
        <source>&amp;Resume Sending</source>
        <translation>&amp;Reanudar envío</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="55"/>
        <source>Let the selected client&apos;s send queue move again</source>
        <translation>Dejar que la cola de envío del cliente seleccionado vuelva a avanzar</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="135"/>
        <location filename="../ui/clients/ClientActions.cpp" line="151"/>
        <source>The name must be 1 to 100 characters.</source>
        <translation>El nombre debe tener entre 1 y 100 caracteres.</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="172"/>
        <source>The session could not start: %1</source>
        <translation>No se pudo iniciar la sesión: %1</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="195"/>
        <source>The client is not running.</source>
        <translation>El cliente no está en ejecución.</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="229"/>
        <source>WaDesk</source>
        <translation>WaDesk</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="264"/>
        <source>Log out of WhatsApp</source>
        <translation>Cerrar sesión de WhatsApp</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientActions.cpp" line="265"/>
        <source>Unlink &quot;%1&quot; from its phone? Linking it again needs a new QR scan with the phone.</source>
        <translation>¿Desvincular «%1» de su teléfono? Para volver a vincularlo habrá que escanear de nuevo un código QR con el teléfono.</translation>
    </message>
</context>
<context>
    <name>wadesk::Composer</name>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="24"/>
        <source>&amp;To:</source>
        <translation>&amp;Para:</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="27"/>
        <source>Phone number, e.g. +14155552671</source>
        <translation>Número de teléfono, p. ej., +14155552671</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="28"/>
        <source>Recipient phone number</source>
        <translation>Número de teléfono del destinatario</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="33"/>
        <source>Write a message (Ctrl+Enter sends)</source>
        <translation>Escriba un mensaje (Ctrl+Intro para enviar)</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="34"/>
        <source>Message text</source>
        <translation>Texto del mensaje</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="38"/>
        <source>&amp;Send</source>
        <translation>E&amp;nviar</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="40"/>
        <source>Send message</source>
        <translation>Enviar mensaje</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="41"/>
        <source>Send (Ctrl+Enter)</source>
        <translation>Enviar (Ctrl+Intro)</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/conversations/Composer.cpp" line="114"/>
        <source>Try again in %n second(s).</source>
        <translation>
            <numerusform>Vuelva a intentarlo dentro de %n segundo.</numerusform>
            <numerusform>Vuelva a intentarlo dentro de %n segundos.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="119"/>
        <source>Queued.</source>
        <translation>En cola.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="121"/>
        <source>Remove the attachment</source>
        <translation>Quitar el adjunto</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="122"/>
        <source>Remove attachment</source>
        <translation>Quitar adjunto</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="140"/>
        <source>Attach a file (or drop one here, or paste an image)</source>
        <translation>Adjuntar un archivo (o soltarlo aquí, o pegar una imagen)</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="141"/>
        <source>Attach a file</source>
        <translation>Adjuntar un archivo</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="232"/>
        <source>The file %1 does not exist.</source>
        <translation>El archivo %1 no existe.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="236"/>
        <source>Only files can be attached; %1 is not one.</source>
        <translation>Solo se pueden adjuntar archivos; %1 no lo es.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="240"/>
        <source>The file %1 cannot be read.</source>
        <translation>No se puede leer el archivo %1.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="255"/>
        <source>The clipboard holds no image that can be read.</source>
        <translation>El portapapeles no contiene ninguna imagen legible.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="263"/>
        <source>The image could not be encoded as PNG.</source>
        <translation>No se pudo codificar la imagen como PNG.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="275"/>
        <source>The file %1 is empty.</source>
        <translation>El archivo %1 está vacío.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="280"/>
        <source>%1 is %2; files up to %3 can be sent.</source>
        <translation>%1 ocupa %2; se pueden enviar archivos de hasta %3.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="310"/>
        <source>Add a caption (optional; Ctrl+Enter sends)</source>
        <translation>Añadir un pie de foto (opcional; Ctrl+Intro envía)</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="312"/>
        <source>Caption</source>
        <translation>Pie de foto</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="321"/>
        <source>Attachment: %1, %2</source>
        <translation>Adjunto: %1, %2</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="423"/>
        <source>The file %1 can no longer be read: %2</source>
        <translation>Ya no se puede leer el archivo %1: %2</translation>
    </message>
    <message>
        <location filename="../ui/conversations/Composer.cpp" line="433"/>
        <source>The file %1 changed since it was attached and is now %2; files up to %3 can be sent.</source>
        <translation>El archivo %1 cambió desde que se adjuntó y ahora ocupa %2; se pueden enviar archivos de hasta %3.</translation>
    </message>
</context>
<context>
    <name>wadesk::ContactListModel</name>
    <message>
        <location filename="../ui/models/ContactListModel.cpp" line="42"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/models/ContactListModel.cpp" line="45"/>
        <source>%1, %2</source>
        <translation>%1, %2</translation>
    </message>
    <message>
        <location filename="../ui/models/ContactListModel.cpp" line="47"/>
        <source> (opted out)</source>
        <translation> (se dio de baja)</translation>
    </message>
    <message>
        <location filename="../ui/models/ContactListModel.cpp" line="49"/>
        <source>, tags: %1</source>
        <translation>, etiquetas: %1</translation>
    </message>
</context>
<context>
    <name>wadesk::ConversationsView</name>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="43"/>
        <source>Search contacts</source>
        <translation>Buscar contactos</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="44"/>
        <source>Search contacts by name or number</source>
        <translation>Buscar contactos por nombre o número</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="50"/>
        <source>Contacts</source>
        <translation>Contactos</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="69"/>
        <source>Messages</source>
        <translation>Mensajes</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="80"/>
        <source>Your role can read conversations but not send messages.</source>
        <translation>Su rol puede leer conversaciones, pero no enviar mensajes.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="175"/>
        <source>Select a client to see its conversations.</source>
        <translation>Seleccione un cliente para ver sus conversaciones.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="180"/>
        <source>Select a contact, or write to a new number below.</source>
        <translation>Seleccione un contacto o escriba abajo a un número nuevo.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="185"/>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="136"/>
        <source>The file of this message was not downloaded.</source>
        <translation>El archivo de este mensaje no se descargó.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="137"/>
        <source>The file of this message is no longer stored.</source>
        <translation>El archivo de este mensaje ya no está almacenado.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="138"/>
        <source>This message has no file.</source>
        <translation>Este mensaje no tiene archivo.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="156"/>
        <source>No application opens %1.</source>
        <translation>Ninguna aplicación abre %1.</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="170"/>
        <source>Save attachment</source>
        <translation>Guardar adjunto</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="193"/>
        <source>Open attachment</source>
        <translation>Abrir adjunto</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="205"/>
        <source>&amp;Open attachment</source>
        <translation>&amp;Abrir adjunto</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="209"/>
        <source>&amp;Save attachment as…</source>
        <translation>&amp;Guardar adjunto como…</translation>
    </message>
    <message>
        <location filename="../ui/conversations/ConversationsView.cpp" line="143"/>
        <source>The file of this message is still being downloaded.</source>
        <translation>El archivo de este mensaje todavía se está descargando.</translation>
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
        <location filename="../ui/shell/DesktopShell.cpp" line="257"/>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="291"/>
        <source>WaDesk keeps running in the tray. Use Quit in its menu to stop it.</source>
        <translation>WaDesk sigue ejecutándose en la bandeja del sistema. Use «Salir de WaDesk» en su menú para detenerlo.</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="323"/>
        <source>New message from %1</source>
        <translation>Nuevo mensaje de %1</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/shell/DesktopShell.cpp" line="332"/>
        <source>WaDesk: %n unread message(s)</source>
        <translation>
            <numerusform>WaDesk: %n mensaje sin leer</numerusform>
            <numerusform>WaDesk: %n mensajes sin leer</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="332"/>
        <source>WaDesk: no unread messages</source>
        <translation>WaDesk: no hay mensajes sin leer</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="352"/>
        <location filename="../ui/shell/DesktopShell.cpp" line="362"/>
        <source>Pause all clients</source>
        <translation>Pausar todos los clientes</translation>
    </message>
    <message>
        <location filename="../ui/shell/DesktopShell.cpp" line="353"/>
        <source>Stop sending on every client of your organization? Queued messages stay queued until each client is resumed.</source>
        <translation>¿Detener el envío en todos los clientes de su organización? Los mensajes en cola permanecen en cola hasta que se reanude cada cliente.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/shell/DesktopShell.cpp" line="358"/>
        <source>%n client(s) paused.</source>
        <translation>
            <numerusform>%n cliente pausado.</numerusform>
            <numerusform>%n clientes pausados.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>wadesk::ErrorText</name>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="25"/>
        <source>The name must be 1 to 100 characters.</source>
        <translation>El nombre debe tener entre 1 y 100 caracteres.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="27"/>
        <source>The organization name must be 1 to 200 characters.</source>
        <translation>El nombre de la organización debe tener entre 1 y 200 caracteres.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="29"/>
        <source>This is not a valid email address.</source>
        <translation>No es una dirección de correo válida.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="31"/>
        <source>The password must be %1 to %2 characters.</source>
        <translation>La contraseña debe tener entre %1 y %2 caracteres.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="33"/>
        <source>Choose a role: admin, manager, agent or viewer.</source>
        <translation>Elija un rol: administrador, gestor, agente u observador.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="35"/>
        <source>The message must not be empty.</source>
        <translation>El mensaje no puede estar vacío.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="45"/>
        <source>This is not a valid phone number.</source>
        <translation>No es un número de teléfono válido.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="47"/>
        <source>You do not have permission to do this.</source>
        <translation>No tiene permiso para hacer esto.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="49"/>
        <source>You may not manage members with this role.</source>
        <translation>No puede gestionar miembros con este rol.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="51"/>
        <source>It does not exist any more, or you may not see it.</source>
        <translation>Ya no existe, o no tiene permiso para verlo.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="53"/>
        <source>Invalid email or password.</source>
        <translation>Correo o contraseña incorrectos.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="55"/>
        <source>The account is disabled.</source>
        <translation>La cuenta está desactivada.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="57"/>
        <source>Too many failed sign-in attempts; try again later.</source>
        <translation>Demasiados intentos de inicio de sesión fallidos; inténtelo más tarde.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="59"/>
        <source>A user with this email already exists.</source>
        <translation>Ya existe un usuario con este correo.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="61"/>
        <source>The organization needs at least one active admin.</source>
        <translation>La organización necesita al menos un administrador activo.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="63"/>
        <source>You cannot change your own role, disable or remove yourself.</source>
        <translation>No puede cambiar su propio rol, ni desactivarse ni eliminarse.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="65"/>
        <source>A client with this phone number already exists.</source>
        <translation>Ya existe un cliente con este número de teléfono.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="67"/>
        <source>The client is not running.</source>
        <translation>El cliente no está en ejecución.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="69"/>
        <source>The client is not ready: link it by scanning its QR code first.</source>
        <translation>El cliente no está listo: vincúlelo primero escaneando su código QR.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="71"/>
        <source>The client is paused; resume it to send.</source>
        <translation>El cliente está en pausa; reanúdelo para enviar.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="73"/>
        <source>The contact opted out of messages.</source>
        <translation>El contacto se dio de baja de los mensajes.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="75"/>
        <source>Rate limit reached for this client.</source>
        <translation>Se alcanzó el límite de envío de este cliente.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="77"/>
        <source>WhatsApp sessions do not run in this process.</source>
        <translation>Las sesiones de WhatsApp no se ejecutan en este proceso.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="79"/>
        <source>Something went wrong inside WaDesk; the log has the details.</source>
        <translation>Algo falló dentro de WaDesk; el registro tiene los detalles.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="80"/>
        <source>This proxy is already in the pool (same host, port and username).</source>
        <translation>Este proxy ya está en el conjunto (mismo host, puerto y usuario).</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/common/ErrorText.cpp" line="83"/>
        <source>%n clients use this proxy: assign them another proxy, or none, before deleting it.</source>
        <translation>
            <numerusform>%n cliente usa este proxy: asígnele otro proxy, o ninguno, antes de eliminarlo.</numerusform>
            <numerusform>%n clientes usan este proxy: asígneles otro proxy, o ninguno, antes de eliminarlo.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="86"/>
        <source>This proxy already serves its maximum of clients: choose another one or raise its maximum.</source>
        <translation>Este proxy ya atiende su máximo de clientes: elija otro o aumente su máximo.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="88"/>
        <source>No proxy is free: each one is down or serves its maximum of clients.</source>
        <translation>Ningún proxy está libre: todos están caídos o atienden su máximo de clientes.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="90"/>
        <source>This client does not allow moving it to another proxy.</source>
        <translation>Este cliente no permite pasarlo a otro proxy.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="102"/>
        <source>Choose the proxy type: HTTP or SOCKS5.</source>
        <translation>Elija el tipo de proxy: HTTP o SOCKS5.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="104"/>
        <source>The host must be a host name or an IP address, without spaces.</source>
        <translation>El host debe ser un nombre de host o una dirección IP, sin espacios.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="106"/>
        <source>The port must be a number from 1 to 65535.</source>
        <translation>El puerto debe ser un número del 1 al 65535.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="108"/>
        <source>The username must be at most 255 bytes, without control characters (and without &quot;:&quot; for an HTTP proxy).</source>
        <translation>El usuario debe tener como máximo 255 bytes, sin caracteres de control (y sin «:» en un proxy HTTP).</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="110"/>
        <source>The proxy password must be at most 255 bytes without control characters, and needs a username.</source>
        <translation>La contraseña del proxy debe tener como máximo 255 bytes sin caracteres de control y necesita un usuario.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="112"/>
        <source>The label must be 1 to 100 characters.</source>
        <translation>La etiqueta debe tener de 1 a 100 caracteres.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="114"/>
        <source>The country must be a two-letter code such as DE or US.</source>
        <translation>El país debe ser un código de dos letras como ES o US.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/common/ErrorText.cpp" line="117"/>
        <source>The most clients cannot go below the %n clients using the proxy.</source>
        <translation>
            <numerusform>El máximo de clientes no puede ser inferior al %n cliente que usa el proxy.</numerusform>
            <numerusform>El máximo de clientes no puede ser inferior a los %n clientes que usan el proxy.</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="118"/>
        <source>The most clients must be a number from 1 to 1000.</source>
        <translation>El máximo de clientes debe ser un número del 1 al 1000.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="80"/>
        <source>The file is empty.</source>
        <translation>El archivo está vacío.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="82"/>
        <source>The file is damaged or truncated, or not what its type says.</source>
        <translation>El archivo está dañado o incompleto, o no es lo que indica su tipo.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="84"/>
        <source>The file is larger than WaDesk accepts.</source>
        <translation>El archivo es más grande de lo que WaDesk acepta.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="86"/>
        <source>WhatsApp does not accept this kind of file. Images (JPEG, PNG, WebP), videos (MP4, 3GP), audio, PDF, office documents and text files can be sent.</source>
        <translation>WhatsApp no acepta este tipo de archivo. Se pueden enviar imágenes (JPEG, PNG, WebP), vídeos (MP4, 3GP), audio, PDF, documentos de oficina y archivos de texto.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="88"/>
        <source>The file&apos;s content does not match its declared type.</source>
        <translation>El contenido del archivo no coincide con su tipo declarado.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="90"/>
        <source>The organization&apos;s media storage is full: remove files or ask an admin to raise the quota.</source>
        <translation>El almacenamiento de medios de la organización está lleno: elimine archivos o pida a un administrador que aumente la cuota.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="92"/>
        <source>A message waiting to be sent still needs this file.</source>
        <translation>Un mensaje pendiente de envío todavía necesita este archivo.</translation>
    </message>
    <message>
        <location filename="../ui/common/ErrorText.cpp" line="94"/>
        <source>Media storage is not available.</source>
        <translation>El almacenamiento de medios no está disponible.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunApiPage</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="361"/>
        <source>REST API</source>
        <translation>API REST</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="362"/>
        <source>Other systems send and receive messages through WaDesk&apos;s REST API. By default it answers only on this computer.</source>
        <translation>Otros sistemas envían y reciben mensajes a través de la API REST de WaDesk. De forma predeterminada solo responde en este equipo.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="368"/>
        <source>API address</source>
        <translation>Dirección de la API</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="369"/>
        <source>&amp;Address:</source>
        <translation>&amp;Dirección:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="372"/>
        <source>API port</source>
        <translation>Puerto de la API</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="375"/>
        <source>&amp;Port:</source>
        <translation>&amp;Puerto:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="377"/>
        <source>I understand that this address &amp;exposes the API to the network</source>
        <translation>Entiendo que esta dirección &amp;expone la API a la red</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="379"/>
        <source>Acknowledge that the API is exposed to the network</source>
        <translation>Confirmar que la API queda expuesta a la red</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="381"/>
        <source>This address is reachable from other computers. Put WaDesk behind TLS (a reverse proxy) and keep API keys secret.</source>
        <translation>Esta dirección es accesible desde otros equipos. Ponga WaDesk detrás de TLS (un proxy inverso) y mantenga en secreto las claves de API.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="408"/>
        <source>Enter an IP address, such as 127.0.0.1 (this computer only) or 0.0.0.0 (every network).</source>
        <translation>Introduzca una dirección IP, como 127.0.0.1 (solo este equipo) o 0.0.0.0 (todas las redes).</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="413"/>
        <source>%1 is not a loopback address: confirm that the API may be exposed to the network, or use 127.0.0.1.</source>
        <translation>%1 no es una dirección de loopback: confirme que la API puede quedar expuesta a la red o use 127.0.0.1.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunDatabasePage</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="129"/>
        <source>Database</source>
        <translation>Base de datos</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="130"/>
        <source>Where WaDesk keeps its data. The embedded database suits one computer; use PostgreSQL to run several WaDesk instances on the same data.</source>
        <translation>Dónde guarda WaDesk sus datos. La base de datos integrada basta para un equipo; use PostgreSQL para ejecutar varias instancias de WaDesk sobre los mismos datos.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="133"/>
        <source>&amp;Embedded database (SQLite, recommended)</source>
        <translation>Base de datos &amp;integrada (SQLite, recomendada)</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="135"/>
        <source>Embedded SQLite database</source>
        <translation>Base de datos SQLite integrada</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="138"/>
        <source>File: %1</source>
        <translation>Archivo: %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="144"/>
        <source>&amp;PostgreSQL server</source>
        <translation>Servidor &amp;PostgreSQL</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="146"/>
        <source>PostgreSQL server</source>
        <translation>Servidor PostgreSQL</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="152"/>
        <source>PostgreSQL URL</source>
        <translation>URL de PostgreSQL</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="155"/>
        <source>&amp;Test connection</source>
        <translation>&amp;Probar conexión</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="157"/>
        <source>Test the PostgreSQL connection</source>
        <translation>Probar la conexión con PostgreSQL</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="165"/>
        <source>Connection test result</source>
        <translation>Resultado de la prueba de conexión</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="177"/>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="217"/>
        <source>Connected.</source>
        <translation>Conectado.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="180"/>
        <source>The connection failed: %1</source>
        <translation>La conexión falló: %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="231"/>
        <source>Enter a URL of the form postgres://user:password@host:5432/database.</source>
        <translation>Introduzca una URL de la forma postgres://usuario:contraseña@host:5432/basededatos.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="236"/>
        <source>Connecting to %1…</source>
        <translation>Conectando con %1…</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunOrganizationPage</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="69"/>
        <source>Your organization</source>
        <translation>Su organización</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="70"/>
        <source>WaDesk keeps each organization&apos;s clients, messages and team apart. Create yours and its first administrator: you.</source>
        <translation>WaDesk mantiene separados los clientes, mensajes y equipo de cada organización. Cree la suya y su primer administrador: usted.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="74"/>
        <source>&amp;Organization:</source>
        <translation>&amp;Organización:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="74"/>
        <source>Organization name</source>
        <translation>Nombre de la organización</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="76"/>
        <source>Your &amp;name:</source>
        <translation>Su &amp;nombre:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="76"/>
        <source>Your name</source>
        <translation>Su nombre</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="78"/>
        <source>&amp;Email:</source>
        <translation>&amp;Correo electrónico:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="78"/>
        <source>Email address</source>
        <translation>Dirección de correo electrónico</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="81"/>
        <source>&amp;Password:</source>
        <translation>&amp;Contraseña:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="81"/>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="84"/>
        <source>at least %n characters</source>
        <translation>
            <numerusform>al menos %n carácter</numerusform>
            <numerusform>al menos %n caracteres</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="85"/>
        <source>&amp;Confirm password:</source>
        <translation>Co&amp;nfirmar contraseña:</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="85"/>
        <source>Confirm password</source>
        <translation>Confirmar contraseña</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="106"/>
        <source>Enter the organization&apos;s name (at most 200 characters).</source>
        <translation>Introduzca el nombre de la organización (como máximo 200 caracteres).</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="108"/>
        <source>Enter your name (at most 100 characters).</source>
        <translation>Introduzca su nombre (como máximo 100 caracteres).</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="110"/>
        <source>Enter a valid email address.</source>
        <translation>Introduzca una dirección de correo electrónico válida.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="112"/>
        <source>The password must be %1 to %2 characters long.</source>
        <translation>La contraseña debe tener entre %1 y %2 caracteres.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="116"/>
        <source>The two passwords differ.</source>
        <translation>Las dos contraseñas no coinciden.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSecretsPage</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="249"/>
        <source>Secrets</source>
        <translation>Secretos</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="250"/>
        <source>WaDesk encrypts its secrets with a master key. Choose where that key is kept, and back it up together with the database.</source>
        <translation>WaDesk cifra sus secretos con una clave maestra. Elija dónde se guarda y haga una copia de seguridad junto con la base de datos.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="253"/>
        <source>The system &amp;keychain</source>
        <translation>El &amp;llavero del sistema</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="255"/>
        <source>Keep the master key in the system keychain</source>
        <translation>Guardar la clave maestra en el llavero del sistema</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="258"/>
        <source>A key &amp;file readable only by you (%1)</source>
        <translation>Un &amp;archivo de clave que solo usted puede leer (%1)</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="261"/>
        <source>Keep the master key in a key file</source>
        <translation>Guardar la clave maestra en un archivo de clave</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="263"/>
        <source>The &amp;environment variable WADESK_MASTER_KEY</source>
        <translation>La variable de &amp;entorno WADESK_MASTER_KEY</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="265"/>
        <source>Take the master key from WADESK_MASTER_KEY</source>
        <translation>Tomar la clave maestra de WADESK_MASTER_KEY</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="271"/>
        <source>Keychain check result</source>
        <translation>Resultado de la comprobación del llavero</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="273"/>
        <source>Check the keychain &amp;again</source>
        <translation>Comprobar el llavero de &amp;nuevo</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="275"/>
        <source>Check the system keychain again</source>
        <translation>Comprobar de nuevo el llavero del sistema</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="286"/>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="298"/>
        <source>Checking the system keychain…</source>
        <translation>Comprobando el llavero del sistema…</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="316"/>
        <source>The system keychain works here: it is the recommended place.</source>
        <translation>El llavero del sistema funciona aquí: es el lugar recomendado.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="319"/>
        <source>A system keychain exists but refused access (%1). Unlock it and check again, or use a key file.</source>
        <translation>Existe un llavero del sistema, pero denegó el acceso (%1). Desbloquéelo y compruebe de nuevo, o use un archivo de clave.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="323"/>
        <source>No system keychain is available here (%1): the key file is used instead. Keep a backup of it.</source>
        <translation>No hay ningún llavero del sistema disponible aquí (%1): se usa el archivo de clave en su lugar. Guarde una copia de seguridad.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="324"/>
        <source>no Secret Service or KWallet</source>
        <translation>ni Secret Service ni KWallet</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="328"/>
        <source>WADESK_MASTER_KEY is set in the environment: it takes precedence while it is set.</source>
        <translation>WADESK_MASTER_KEY está definida en el entorno: tiene prioridad mientras esté definida.</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunSummaryPage</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="428"/>
        <source>Ready</source>
        <translation>Listo</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="429"/>
        <source>Nothing has been written yet. Press Finish to create the organization and save these settings.</source>
        <translation>Todavía no se ha escrito nada. Pulse «Finalizar» para crear la organización y guardar esta configuración.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="436"/>
        <source>Summary of the choices</source>
        <translation>Resumen de las opciones</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="458"/>
        <source>PostgreSQL: %1</source>
        <translation>PostgreSQL: %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="459"/>
        <source>SQLite: %1</source>
        <translation>SQLite: %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="462"/>
        <source>the system keychain</source>
        <translation>el llavero del sistema</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="464"/>
        <source>the environment variable WADESK_MASTER_KEY</source>
        <translation>la variable de entorno WADESK_MASTER_KEY</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="466"/>
        <source>key file %1</source>
        <translation>archivo de clave %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="469"/>
        <source>(exposed to the network)</source>
        <translation>(expuesta a la red)</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="470"/>
        <source>Organization</source>
        <translation>Organización</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="471"/>
        <source>Administrator</source>
        <translation>Administrador</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="472"/>
        <source>Database</source>
        <translation>Base de datos</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="472"/>
        <source>Master key</source>
        <translation>Clave maestra</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="472"/>
        <source>REST API</source>
        <translation>API REST</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="473"/>
        <source>Settings file</source>
        <translation>Archivo de configuración</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="479"/>
        <source>Creating the organization and saving the settings…</source>
        <translation>Creando la organización y guardando la configuración…</translation>
    </message>
</context>
<context>
    <name>wadesk::FirstRunWizard</name>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="38"/>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="492"/>
        <source>Welcome to %1</source>
        <translation>Bienvenido a %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="576"/>
        <source>WaDesk could not be set up: %1</source>
        <translation>No se pudo configurar WaDesk: %1</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="603"/>
        <source>WaDesk is ready</source>
        <translation>WaDesk está listo</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="604"/>
        <source>The organization %1 and its administrator %2 were created. Sign in next.</source>
        <translation>Se crearon la organización %1 y su administrador %2. A continuación, inicie sesión.</translation>
    </message>
    <message>
        <location filename="../ui/firstrun/FirstRunWizard.cpp" line="606"/>
        <source>The organization&apos;s first API key is shown below, this once only. Copy it now if an integration needs it; you can create others later.</source>
        <translation>La primera clave de API de la organización se muestra abajo, solo esta vez. Cópiela ahora si una integración la necesita; puede crear otras más adelante.</translation>
    </message>
</context>
<context>
    <name>wadesk::MainWindow</name>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="50"/>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="63"/>
        <source>WhatsApp clients</source>
        <translation>Clientes de WhatsApp</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="72"/>
        <source>Selected client</source>
        <translation>Cliente seleccionado</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="76"/>
        <source>&amp;WhatsApp</source>
        <translation>&amp;WhatsApp</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="77"/>
        <source>C&amp;onversations</source>
        <translation>C&amp;onversaciones</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="78"/>
        <source>The client&apos;s live WhatsApp Web page (Ctrl+1)</source>
        <translation>La página de WhatsApp Web en vivo del cliente (Ctrl+1)</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="79"/>
        <source>Contacts, messages and sending (Ctrl+2)</source>
        <translation>Contactos, mensajes y envío (Ctrl+2)</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="146"/>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="154"/>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="159"/>
        <source>&amp;Edit</source>
        <translation>&amp;Editar</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="163"/>
        <source>&amp;Find Contact</source>
        <translation>&amp;Buscar contacto</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="171"/>
        <source>&amp;View</source>
        <translation>&amp;Ver</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="173"/>
        <source>&amp;WhatsApp Page</source>
        <translation>Página de &amp;WhatsApp</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="176"/>
        <source>&amp;Conversations</source>
        <translation>&amp;Conversaciones</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="179"/>
        <source>Client &amp;List</source>
        <translation>&amp;Lista de clientes</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="183"/>
        <source>&amp;Refresh</source>
        <translation>&amp;Actualizar</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="187"/>
        <source>Main Toolbar</source>
        <translation>Barra de herramientas principal</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="197"/>
        <source>&amp;Client</source>
        <translation>&amp;Cliente</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="208"/>
        <source>&amp;Help</source>
        <translation>A&amp;yuda</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="210"/>
        <source>&amp;About WaDesk</source>
        <translation>&amp;Acerca de WaDesk</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="213"/>
        <source>About &amp;Qt</source>
        <translation>Acerca de &amp;Qt</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="228"/>
        <source>&amp;Team…</source>
        <translation>&amp;Equipo…</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="231"/>
        <source>Add team members, change their roles and assign clients</source>
        <translation>Añadir miembros del equipo, cambiar sus roles y asignar clientes</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="268"/>
        <source>Secrets: %1</source>
        <translation>Secretos: %1</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="279"/>
        <source>off</source>
        <translation>desactivada</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="284"/>
        <source>checking</source>
        <translation>comprobando</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="292"/>
        <source>running</source>
        <translation>en ejecución</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="294"/>
        <source>degraded (HTTP %1)</source>
        <translation>degradada (HTTP %1)</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="296"/>
        <source>not answering</source>
        <translation>no responde</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="304"/>
        <source>API: off</source>
        <translation>API: desactivada</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="304"/>
        <source>API: %1 (%2)</source>
        <translation>API: %1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="313"/>
        <source>Ready: %1 of %2</source>
        <translation>Listos: %1 de %2</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="314"/>
        <source>Clients whose WhatsApp session is ready, of the clients you see</source>
        <translation>Clientes cuya sesión de WhatsApp está lista, de los clientes que usted ve</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="361"/>
        <source>Show &amp;WhatsApp Page</source>
        <translation>Mostrar página de &amp;WhatsApp</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="362"/>
        <source>Show &amp;Conversations</source>
        <translation>Mostrar &amp;conversaciones</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="381"/>
        <source>&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Runs a team&apos;s WhatsApp sessions, with a REST API and signed webhooks.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;br&gt;wa-js %6&lt;/p&gt;</source>
        <translation>&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Gestiona las sesiones de WhatsApp de un equipo, con una API REST y webhooks firmados.&lt;/p&gt;&lt;p&gt;Qt %2 (compilado con %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;br&gt;wa-js %6&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="385"/>
        <source>(not loaded)</source>
        <translation>(no cargado)</translation>
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
        <location filename="../ui/main/MainWindow.cpp" line="266"/>
        <source>Database: %1</source>
        <translation>Base de datos: %1</translation>
    </message>
    <message>
        <source>&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Runs a team&apos;s WhatsApp sessions, with a REST API and signed webhooks.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;/p&gt;</source>
        <translation type="vanished">&lt;h3&gt;WaDesk %1&lt;/h3&gt;&lt;p&gt;Gestiona las sesiones de WhatsApp de un equipo, con una API REST y webhooks firmados.&lt;/p&gt;&lt;p&gt;Qt %2 (compilado con %3)&lt;br&gt;Chromium %4 (Qt WebEngine %5)&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="390"/>
        <source>About WaDesk</source>
        <translation>Acerca de WaDesk</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="239"/>
        <source>&amp;Proxies</source>
        <translation>&amp;Proxies</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="243"/>
        <source>The proxy pool: each client&apos;s own address, its health, and which client uses which</source>
        <translation>El conjunto de proxies: la dirección propia de cada cliente, su estado y qué cliente usa cuál</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="244"/>
        <source>Proxies (Ctrl+3)</source>
        <translation>Proxies (Ctrl+3)</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="251"/>
        <source>Assign &amp;Proxy…</source>
        <translation>Asignar &amp;proxy…</translation>
    </message>
    <message>
        <location filename="../ui/main/MainWindow.cpp" line="253"/>
        <source>Choose the proxy the selected client uses</source>
        <translation>Elegir el proxy que usa el cliente seleccionado</translation>
    </message>
</context>
<context>
    <name>wadesk::MediaStorageLabel</name>
    <message>
        <location filename="../ui/main/MediaStorageLabel.cpp" line="42"/>
        <source>Media storage: %1</source>
        <translation>Almacenamiento de medios: %1</translation>
    </message>
    <message>
        <location filename="../ui/main/MediaStorageLabel.cpp" line="46"/>
        <source>Media storage: %1 of %2 (%3%)</source>
        <translation>Almacenamiento de medios: %1 de %2 (%3 %)</translation>
    </message>
    <message>
        <location filename="../ui/main/MediaStorageLabel.cpp" line="82"/>
        <source>Files stored for your organization (each file counted once), of its quota</source>
        <translation>Archivos almacenados para su organización (cada archivo contado una vez), de su cuota</translation>
    </message>
    <message>
        <location filename="../ui/main/MediaStorageLabel.cpp" line="43"/>
        <source>Media storage: %1 of %2 (under %3%)</source>
        <translation>Almacenamiento de medios: %1 de %2 (menos del %3 %)</translation>
    </message>
</context>
<context>
    <name>wadesk::MessageDelegate</name>
    <message>
        <location filename="../ui/conversations/MessageDelegate.cpp" line="73"/>
        <source>Not sent</source>
        <translation>No enviado</translation>
    </message>
    <message>
        <location filename="../ui/conversations/MessageDelegate.cpp" line="73"/>
        <source>Not sent: %1</source>
        <translation>No enviado: %1</translation>
    </message>
    <message>
        <location filename="../ui/conversations/MessageDelegate.cpp" line="103"/>
        <source>%1 — not downloaded</source>
        <translation>%1 — no descargado</translation>
    </message>
    <message>
        <location filename="../ui/conversations/MessageDelegate.cpp" line="106"/>
        <source>%1 — the file is no longer stored</source>
        <translation>%1 — el archivo ya no está almacenado</translation>
    </message>
    <message>
        <location filename="../ui/conversations/MessageDelegate.cpp" line="109"/>
        <source>%1 · %2</source>
        <translation>%1 · %2</translation>
    </message>
    <message>
        <location filename="../ui/conversations/MessageDelegate.cpp" line="103"/>
        <source>%1 — downloading…</source>
        <translation>%1 — descargando…</translation>
    </message>
</context>
<context>
    <name>wadesk::MessageThreadModel</name>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="28"/>
        <source>Queued</source>
        <translation>En cola</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="30"/>
        <source>Sending</source>
        <translation>Enviando</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="32"/>
        <source>Sent</source>
        <translation>Enviado</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="34"/>
        <source>Delivered</source>
        <translation>Entregado</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="36"/>
        <source>Read</source>
        <translation>Leído</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="38"/>
        <source>Failed</source>
        <translation>Fallido</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="40"/>
        <source>Received</source>
        <translation>Recibido</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="63"/>
        <source>Sent by you at %1, %2: %3</source>
        <translation>Enviado por usted el %1, %2: %3</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="64"/>
        <source>Received at %1: %2</source>
        <translation>Recibido el %1: %2</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="66"/>
        <source> (failed: %1)</source>
        <translation> (falló: %1)</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="56"/>
        <source>Image</source>
        <translation>Imagen</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="58"/>
        <source>Video</source>
        <translation>Vídeo</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="60"/>
        <source>Audio</source>
        <translation>Audio</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="62"/>
        <source>Voice message</source>
        <translation>Mensaje de voz</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="64"/>
        <source>Document</source>
        <translation>Documento</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="66"/>
        <source>Sticker</source>
        <translation>Sticker</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="68"/>
        <source>Location</source>
        <translation>Ubicación</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="70"/>
        <source>Contact card</source>
        <translation>Tarjeta de contacto</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="71"/>
        <source>Message</source>
        <translation>Mensaje</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="145"/>
        <source>%1: %2</source>
        <translation>%1: %2</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="146"/>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="157"/>
        <source> (%1)</source>
        <translation> (%1)</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="159"/>
        <source> (the file was not downloaded)</source>
        <translation> (el archivo no se descargó)</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="161"/>
        <source> (the file is no longer stored)</source>
        <translation> (el archivo ya no está almacenado)</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="59"/>
        <source>Deleted message</source>
        <translation>Mensaje eliminado</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="152"/>
        <source> (the file is being downloaded)</source>
        <translation> (el archivo se está descargando)</translation>
    </message>
    <message>
        <location filename="../ui/models/MessageThreadModel.cpp" line="154"/>
        <source> (the file was not downloaded: %1)</source>
        <translation> (el archivo no se descargó: %1)</translation>
    </message>
</context>
<context>
    <name>wadesk::ProxiesView</name>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="37"/>
        <source>Proxies are not available: WaDesk runs without its secret store.</source>
        <translation>Los proxies no están disponibles: WaDesk se ejecuta sin su almacén de secretos.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="90"/>
        <source>Proxies</source>
        <translation>Proxies</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="96"/>
        <source>Each client can reach WhatsApp from its own address through a proxy of this pool. A client keeps its proxy; when the proxy is down, the client waits instead of connecting directly.</source>
        <translation>Cada cliente puede llegar a WhatsApp desde su propia dirección a través de un proxy de este conjunto. Un cliente conserva su proxy; si el proxy no funciona, el cliente espera en lugar de conectarse directamente.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="118"/>
        <source>No proxies yet. Add one to give each number its own address.</source>
        <translation>Todavía no hay proxies. Añada uno para dar a cada número su propia dirección.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="136"/>
        <source>&amp;Add Proxy…</source>
        <translation>&amp;Añadir proxy…</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="136"/>
        <source>Add proxy</source>
        <translation>Añadir proxy</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="136"/>
        <source>Add a proxy to the pool</source>
        <translation>Añadir un proxy al conjunto</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="137"/>
        <source>&amp;Edit…</source>
        <translation>&amp;Editar…</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="137"/>
        <source>Edit proxy</source>
        <translation>Editar proxy</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="137"/>
        <source>Change the selected proxy</source>
        <translation>Cambiar el proxy seleccionado</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="138"/>
        <source>&amp;Delete…</source>
        <translation>&amp;Eliminar…</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="138"/>
        <source>Delete proxy</source>
        <translation>Eliminar proxy</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="139"/>
        <source>Remove the selected proxy from the pool (only when no client uses it)</source>
        <translation>Quitar el proxy seleccionado del conjunto (solo si ningún cliente lo usa)</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="141"/>
        <source>A&amp;ssign to Client…</source>
        <translation>A&amp;signar a un cliente…</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="141"/>
        <source>Assign proxy to a client</source>
        <translation>Asignar el proxy a un cliente</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="142"/>
        <source>Choose the proxy a client uses</source>
        <translation>Elegir el proxy que usa un cliente</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="143"/>
        <source>&amp;Test Now</source>
        <translation>&amp;Probar ahora</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="143"/>
        <source>Test proxy now</source>
        <translation>Probar el proxy ahora</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="144"/>
        <source>Checking a proxy on demand is not available in this version; the health shown comes from the periodic checks.</source>
        <translation>Esta versión no permite comprobar un proxy a petición; el estado mostrado procede de las comprobaciones periódicas.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="165"/>
        <source>Proxies error</source>
        <translation>Error de proxies</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="286"/>
        <source>Admins add, change and delete proxies; you can assign them to clients.</source>
        <translation>Los administradores añaden, cambian y eliminan proxies; usted puede asignarlos a clientes.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="375"/>
        <source>Added the proxy %1.</source>
        <translation>Proxy %1 añadido.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="375"/>
        <source>Saved the proxy %1.</source>
        <translation>Proxy %1 guardado.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="386"/>
        <source>Delete the proxy %1 (%2)?</source>
        <translation>¿Eliminar el proxy %1 (%2)?</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/proxies/ProxiesView.cpp" line="389"/>
        <source>It is assigned to %n clients: a proxy in use cannot be deleted. Assign those clients another proxy (or none) first.</source>
        <translation>
            <numerusform>Está asignado a %n cliente: un proxy en uso no se puede eliminar. Asigne antes a ese cliente otro proxy (o ninguno).</numerusform>
            <numerusform>Está asignado a %n clientes: un proxy en uso no se puede eliminar. Asigne antes a esos clientes otro proxy (o ninguno).</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="412"/>
        <source>Deleted the proxy %1.</source>
        <translation>Proxy %1 eliminado.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="462"/>
        <source>The client now uses the proxy %1.</source>
        <translation>El cliente usa ahora el proxy %1.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="463"/>
        <source>The client now connects without a proxy.</source>
        <translation>El cliente se conecta ahora sin proxy.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="143"/>
        <source>Check the selected proxy now: connect through it and measure the time</source>
        <translation>Comprobar ahora el proxy seleccionado: conectar a través de él y medir el tiempo</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="143"/>
        <source>%1 is reachable (%2 ms).</source>
        <translation>%1 está accesible (%2 ms).</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="143"/>
        <source>%1 is unreachable: %2</source>
        <translation>%1 no está accesible: %2</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxiesView.cpp" line="143"/>
        <source>Checking %1…</source>
        <translation>Comprobando %1…</translation>
    </message>
</context>
<context>
    <name>wadesk::ProxyDialog</name>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="27"/>
        <source>Add proxy</source>
        <translation>Añadir proxy</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="29"/>
        <source>&amp;Add</source>
        <translation>&amp;Añadir</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="31"/>
        <source>none</source>
        <translation>ninguno</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="40"/>
        <source>Edit proxy</source>
        <translation>Editar proxy</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="42"/>
        <source>&amp;Save</source>
        <translation>&amp;Guardar</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="43"/>
        <source>Save proxy</source>
        <translation>Guardar proxy</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="51"/>
        <source>leave empty to keep</source>
        <translation>dejar vacío para conservarla</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="62"/>
        <source>Proxy type</source>
        <translation>Tipo de proxy</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="67"/>
        <source>Host</source>
        <translation>Host</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="69"/>
        <source>proxy.example.com or 203.0.113.7</source>
        <translation>proxy.example.com o 203.0.113.7</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="72"/>
        <source>Port</source>
        <translation>Puerto</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="79"/>
        <source>Username</source>
        <translation>Usuario</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="84"/>
        <source>Password</source>
        <translation>Contraseña</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="87"/>
        <source>Remo&amp;ve the stored password</source>
        <translation>&amp;Quitar la contraseña guardada</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="89"/>
        <source>Remove the stored password</source>
        <translation>Quitar la contraseña guardada</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="93"/>
        <source>Label</source>
        <translation>Etiqueta</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="95"/>
        <source>host:port when empty</source>
        <translation>host:puerto si se deja vacía</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="98"/>
        <source>Country</source>
        <translation>País</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="100"/>
        <source>DE, US, … (optional)</source>
        <translation>ES, MX, … (opcional)</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="101"/>
        <source>The two-letter country code of the proxy&apos;s exit. A client&apos;s browser takes its time zone and languages from it when its identity sets none.</source>
        <translation>El código de país de dos letras de la salida del proxy. El navegador de un cliente toma de él la zona horaria y los idiomas cuando su identidad no los fija.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="105"/>
        <source>Most clients</source>
        <translation>Máximo de clientes</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="108"/>
        <source>How many clients may use this proxy at most</source>
        <translation>Cuántos clientes pueden usar este proxy como máximo</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="109"/>
        <source>&amp;Type:</source>
        <translation>&amp;Tipo:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="110"/>
        <source>&amp;Host:</source>
        <translation>&amp;Host:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="111"/>
        <source>&amp;Port:</source>
        <translation>&amp;Puerto:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="112"/>
        <source>&amp;Username:</source>
        <translation>&amp;Usuario:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="113"/>
        <source>Pass&amp;word:</source>
        <translation>Contra&amp;seña:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="115"/>
        <source>&amp;Label:</source>
        <translation>&amp;Etiqueta:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="116"/>
        <source>&amp;Country:</source>
        <translation>Pa&amp;ís:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="117"/>
        <source>&amp;Most clients:</source>
        <translation>&amp;Máximo de clientes:</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="119"/>
        <source>Each client keeps its proxy; WaDesk never rotates addresses. The password is stored encrypted and never shown again.</source>
        <translation>Cada cliente conserva su proxy; WaDesk nunca rota direcciones. La contraseña se guarda cifrada y no se vuelve a mostrar.</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="126"/>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <location filename="../ui/proxies/ProxyDialog.cpp" line="135"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
</context>
<context>
    <name>wadesk::ProxyListModel</name>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="42"/>
        <source>Healthy (%1 ms)</source>
        <translation>Operativo (%1 ms)</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="42"/>
        <source>Healthy</source>
        <translation>Operativo</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="44"/>
        <source>Unreachable</source>
        <translation>Inalcanzable</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="44"/>
        <source>Unreachable: %1</source>
        <translation>Inalcanzable: %1</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="48"/>
        <source>Not checked yet</source>
        <translation>Aún sin comprobar</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="54"/>
        <source>HTTP</source>
        <translation>HTTP</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="55"/>
        <source>SOCKS5</source>
        <translation>SOCKS5</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="80"/>
        <source>Never</source>
        <translation>Nunca</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="81"/>
        <source>%1 of %2</source>
        <translation>%1 de %2</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="104"/>
        <source>%1
since %2</source>
        <translation>%1
desde %2</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="107"/>
        <source>%1
Exit address: %2</source>
        <translation>%1
Dirección de salida: %2</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="110"/>
        <source>%1, %2 %3, %4 clients, %5</source>
        <translation>%1, %2 %3, %4 clientes, %5</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="133"/>
        <source>Label</source>
        <translation>Etiqueta</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="134"/>
        <source>Type</source>
        <translation>Tipo</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="135"/>
        <source>Address</source>
        <translation>Dirección</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="136"/>
        <source>Country</source>
        <translation>País</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="137"/>
        <source>Clients</source>
        <translation>Clientes</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="138"/>
        <source>Health</source>
        <translation>Estado</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="139"/>
        <source>Last checked</source>
        <translation>Última comprobación</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="165"/>
        <source>Your role may not see the proxies.</source>
        <translation>Su rol no puede ver los proxies.</translation>
    </message>
    <message>
        <location filename="../ui/models/ProxyListModel.cpp" line="167"/>
        <source>Proxies are not available: WaDesk runs without its secret store.</source>
        <translation>Los proxies no están disponibles: WaDesk se ejecuta sin su almacén de secretos.</translation>
    </message>
</context>
<context>
    <name>wadesk::RateLimitStrip</name>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="34"/>
        <source>Sending limits</source>
        <translation>Límites de envío</translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="105"/>
        <source>Limits unavailable: %1</source>
        <translation>Límites no disponibles: %1</translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="116"/>
        <source>%1: %2/%3</source>
        <translation>%1: %2/%3</translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="117"/>
        <source>%1 used %2 of %3</source>
        <translation>%1: %2 de %3 usados</translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="122"/>
        <source>Minute</source>
        <translation>Minuto</translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="123"/>
        <source>Hour</source>
        <translation>Hora</translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="124"/>
        <source>Day</source>
        <translation>Día</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="126"/>
        <source>Queue: %n</source>
        <translation>
            <numerusform>Cola: %n</numerusform>
            <numerusform>Cola: %n</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="129"/>
        <source>(last leaves about %1)</source>
        <translation>(la última sale hacia las %1)</translation>
    </message>
    <message>
        <location filename="../ui/conversations/RateLimitStrip.cpp" line="134"/>
        <source>Sending paused</source>
        <translation>Envío en pausa</translation>
    </message>
</context>
<context>
    <name>wadesk::RenameClientDialog</name>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="70"/>
        <source>Rename client</source>
        <translation>Cambiar nombre del cliente</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="76"/>
        <source>New name</source>
        <translation>Nombre nuevo</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="78"/>
        <source>&amp;Name:</source>
        <translation>&amp;Nombre:</translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientDialogs.cpp" line="81"/>
        <source>&amp;Rename</source>
        <translation>&amp;Cambiar nombre</translation>
    </message>
</context>
<context>
    <name>wadesk::ClientListDelegate</name>
    <message>
        <location filename="../ui/clients/ClientListDelegate.cpp" line="85"/>
        <source>paused</source>
        <translation>en pausa</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/clients/ClientListDelegate.cpp" line="87"/>
        <source>%n queued</source>
        <translation>
            <numerusform>%n en cola</numerusform>
            <numerusform>%n en cola</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/clients/ClientListDelegate.cpp" line="102"/>
        <source>no number linked</source>
        <translation>ningún número vinculado</translation>
    </message>
</context>
<context>
    <name>wadesk::ClientListModel</name>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="46"/>
        <source>Stopped</source>
        <translation>Detenido</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="47"/>
        <source>Starting</source>
        <translation>Iniciando</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="48"/>
        <source>Scan QR</source>
        <translation>Escanear QR</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="49"/>
        <source>Linking</source>
        <translation>Vinculando</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="50"/>
        <source>Ready</source>
        <translation>Listo</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="51"/>
        <source>Disconnected</source>
        <translation>Desconectado</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="52"/>
        <source>Logged out</source>
        <translation>Sesión cerrada</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="53"/>
        <source>Paused</source>
        <translation>En pausa</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="54"/>
        <source>Failed</source>
        <translation>Error</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="68"/>
        <source>%1 — %2</source>
        <translation>%1 — %2</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="76"/>
        <source>%1, %2, %3</source>
        <translation>%1, %2, %3</translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="76"/>
        <source>no number linked</source>
        <translation>ningún número vinculado</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/models/ClientListModel.cpp" line="78"/>
        <source>, %n unread</source>
        <translation>
            <numerusform>, %n sin leer</numerusform>
            <numerusform>, %n sin leer</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/models/ClientListModel.cpp" line="80"/>
        <source>, %n queued</source>
        <translation>
            <numerusform>, %n en cola</numerusform>
            <numerusform>, %n en cola</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/models/ClientListModel.cpp" line="82"/>
        <source>, queue paused</source>
        <translation>, cola en pausa</translation>
    </message>
</context>
<context>
    <name>wadesk::SessionView</name>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="139"/>
        <source>No client selected</source>
        <translation>Ningún cliente seleccionado</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="159"/>
        <source>Session state: %1</source>
        <translation>Estado de la sesión: %1</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="164"/>
        <source>On the phone open WhatsApp → Settings → Linked devices → Link a device, and scan the code below.</source>
        <translation>En el teléfono, abra WhatsApp → Ajustes → Dispositivos vinculados → Vincular un dispositivo y escanee el código de abajo.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="165"/>
        <source>Waiting for an operator to link this number.</source>
        <translation>Esperando a que un operador vincule este número.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="167"/>
        <source>The code expired: click &quot;Reload the QR code&quot; on the page.</source>
        <translation>El código caducó: haga clic en «Volver a cargar el código QR» en la página.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="175"/>
        <source>Linked to %1</source>
        <translation>Vinculado a %1</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="197"/>
        <source>Select a client on the left.</source>
        <translation>Seleccione un cliente a la izquierda.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="199"/>
        <source>This client is waiting to be linked by an operator.</source>
        <translation>Este cliente espera a que un operador lo vincule.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="201"/>
        <source>The session of this client is starting.</source>
        <translation>La sesión de este cliente se está iniciando.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="203"/>
        <source>The session failed: %1
Start it again from the Client menu.</source>
        <translation>La sesión falló: %1
Vuelva a iniciarla desde el menú Cliente.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="206"/>
        <source>The session of this client is not running.</source>
        <translation>La sesión de este cliente no está en ejecución.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="213"/>
        <source>WhatsApp Web of %1</source>
        <translation>WhatsApp Web de %1</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="129"/>
        <source>Proxy: unknown</source>
        <translation>Proxy: desconocido</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="132"/>
        <source>No proxy</source>
        <translation>Sin proxy</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="133"/>
        <source>This client connects to WhatsApp directly. Assign a proxy on the Proxies screen.</source>
        <translation>Este cliente se conecta a WhatsApp directamente. Asígnele un proxy en la pantalla de proxies.</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="139"/>
        <source>Proxy: %1 · %2</source>
        <translation>Proxy: %1 · %2</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="140"/>
        <source>%1 proxy at %2</source>
        <translation>Proxy %1 en %2</translation>
    </message>
    <message>
        <location filename="../ui/clients/SessionView.cpp" line="142"/>
        <source>May move to another healthy proxy when this one is down.</source>
        <translation>Puede pasar a otro proxy operativo cuando este no funcione.</translation>
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
<context>
    <name>wadesk::TeamDialog</name>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="35"/>
        <location filename="../ui/team/TeamDialog.cpp" line="259"/>
        <source>Your role may not manage the team.</source>
        <translation>Su rol no puede administrar el equipo.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="49"/>
        <source>Team</source>
        <translation>Equipo</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="53"/>
        <source>The members of your organization. Admins manage everyone; managers manage agents and viewers. Agents and viewers see only the clients assigned to them.</source>
        <translation>Los miembros de su organización. Los administradores gestionan a todos; los gestores gestionan a agentes y observadores. Los agentes y observadores solo ven los clientes que tienen asignados.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="62"/>
        <source>Team members</source>
        <translation>Miembros del equipo</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="77"/>
        <source>&amp;Add Member…</source>
        <translation>&amp;Añadir miembro…</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="79"/>
        <source>Add member</source>
        <translation>Añadir miembro</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="80"/>
        <source>Create an account for a new team member</source>
        <translation>Crear una cuenta para un nuevo miembro del equipo</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="86"/>
        <source>New role for the selected member</source>
        <translation>Nuevo rol para el miembro seleccionado</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="91"/>
        <source>R&amp;ole:</source>
        <translation>R&amp;ol:</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="93"/>
        <source>&amp;Change Role</source>
        <translation>&amp;Cambiar rol</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="95"/>
        <source>Change role</source>
        <translation>Cambiar rol</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="96"/>
        <source>Give the selected member the role chosen above</source>
        <translation>Asignar al miembro seleccionado el rol elegido arriba</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="98"/>
        <location filename="../ui/team/TeamDialog.cpp" line="251"/>
        <source>&amp;Deactivate</source>
        <translation>&amp;Desactivar</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="100"/>
        <location filename="../ui/team/TeamDialog.cpp" line="252"/>
        <source>Deactivate member</source>
        <translation>Desactivar miembro</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="102"/>
        <source>&amp;Remove…</source>
        <translation>&amp;Eliminar…</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="104"/>
        <source>Remove member</source>
        <translation>Eliminar miembro</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="105"/>
        <source>Delete the selected member&apos;s account</source>
        <translation>Eliminar la cuenta del miembro seleccionado</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="114"/>
        <source>Assigned c&amp;lients</source>
        <translation>C&amp;lientes asignados</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="124"/>
        <source>Assigned clients</source>
        <translation>Clientes asignados</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="125"/>
        <source>Tick the clients this member may see</source>
        <translation>Marque los clientes que este miembro puede ver</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="135"/>
        <source>Team error</source>
        <translation>Error del equipo</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="142"/>
        <source>Close</source>
        <translation>Cerrar</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="251"/>
        <source>Ac&amp;tivate</source>
        <translation>Ac&amp;tivar</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="252"/>
        <source>Activate member</source>
        <translation>Activar miembro</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="253"/>
        <source>Stop the selected member from signing in (reversible)</source>
        <translation>Impedir que el miembro seleccionado inicie sesión (reversible)</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="254"/>
        <source>Let the selected member sign in again</source>
        <translation>Permitir que el miembro seleccionado vuelva a iniciar sesión</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="261"/>
        <source>This is you: you cannot change your own role, deactivate or remove yourself.</source>
        <translation>Este es usted: no puede cambiar su propio rol ni desactivarse o eliminarse a sí mismo.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="263"/>
        <source>Managers can only manage agents and viewers.</source>
        <translation>Los gestores solo pueden gestionar agentes y observadores.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="274"/>
        <source>Select an agent or viewer to choose the clients they see.</source>
        <translation>Seleccione un agente u observador para elegir los clientes que ve.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="279"/>
        <source>%1 is an admin: admins see every client of the organization.</source>
        <translation>%1 es administrador: los administradores ven todos los clientes de la organización.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="280"/>
        <source>%1 is a manager: managers see every client of the organization.</source>
        <translation>%1 es gestor: los gestores ven todos los clientes de la organización.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="287"/>
        <source>The assignments could not be read.</source>
        <translation>No se pudieron leer las asignaciones.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="292"/>
        <source>The clients could not be read.</source>
        <translation>No se pudieron leer los clientes.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="321"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="341"/>
        <source>The organization has no clients yet.</source>
        <translation>La organización aún no tiene clientes.</translation>
    </message>
    <message numerus="yes">
        <location filename="../ui/team/TeamDialog.cpp" line="342"/>
        <source>The clients %1 sees (%2 of %n):</source>
        <translation>
            <numerusform>Los clientes que ve %1 (%2 de %n):</numerusform>
            <numerusform>Los clientes que ve %1 (%2 de %n):</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="430"/>
        <source>Remove team member</source>
        <translation>Eliminar miembro del equipo</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="431"/>
        <source>Remove %1 (%2) from the team? They will no longer be able to sign in.</source>
        <translation>¿Eliminar a %1 (%2) del equipo? Ya no podrá iniciar sesión.</translation>
    </message>
    <message>
        <location filename="../ui/team/TeamDialog.cpp" line="516"/>
        <source>The password could not be hashed.</source>
        <translation>No se pudo calcular el hash de la contraseña.</translation>
    </message>
</context>
<context>
    <name>wadesk::TeamMemberModel</name>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="35"/>
        <source>Admin</source>
        <translation>Administrador</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="36"/>
        <source>Manager</source>
        <translation>Gestor</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="37"/>
        <source>Agent</source>
        <translation>Agente</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="38"/>
        <source>Viewer</source>
        <translation>Observador</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="55"/>
        <source>Active</source>
        <translation>Activo</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="55"/>
        <source>Deactivated</source>
        <translation>Desactivado</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="59"/>
        <source>%1 (you)</source>
        <translation>%1 (usted)</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="66"/>
        <source>%1, %2, %3, %4</source>
        <translation>%1, %2, %3, %4</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="88"/>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="89"/>
        <source>Email</source>
        <translation>Correo electrónico</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="90"/>
        <source>Role</source>
        <translation>Rol</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="91"/>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <location filename="../ui/models/TeamMemberModel.cpp" line="115"/>
        <source>Your role may not manage the team.</source>
        <translation>Su rol no puede administrar el equipo.</translation>
    </message>
</context>
</TS>
