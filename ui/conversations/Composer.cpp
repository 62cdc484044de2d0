#include "ui/conversations/Composer.h"

#include "ui/common/DataSize.h"
#include "ui/common/ErrorText.h"
#include "ui/common/ImageThumbnailer.h"
#include "ui/conversations/QuickReplyCompleter.h"
#include "ui/desktop/DesktopContext.h"
#include "ui/main/Icons.h"
#include "core/events/EventBus.h"
#include "core/events/EventPayloads.h"
#include "core/messaging/MessageService.h"

#include <QBuffer>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QImage>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QMimeDatabase>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QToolButton>
#include <QUuid>
#include <functional>

namespace wadesk {

namespace {
constexpr int kPreviewEdge = 48; // logical pixels

// The message box: a pasted or dropped file or image becomes the attachment instead of text.
class MessageTextEdit final : public QPlainTextEdit {
public:
    MessageTextEdit(std::function<bool(const QMimeData *)> attach, QWidget *parent)
        : QPlainTextEdit(parent)
        , m_attach(std::move(attach))
    {
    }

protected:
    bool canInsertFromMimeData(const QMimeData *source) const override
    {
        return Composer::offersAttachment(source) || QPlainTextEdit::canInsertFromMimeData(source);
    }
    void insertFromMimeData(const QMimeData *source) override
    {
        if (Composer::offersAttachment(source)) {
            m_attach(source);
            return;
        }
        QPlainTextEdit::insertFromMimeData(source);
    }

private:
    std::function<bool(const QMimeData *)> m_attach;
};

QString localFileOf(const QMimeData *data)
{
    if (!data || !data->hasUrls())
        return {};
    const QList<QUrl> urls = data->urls();
    if (urls.size() != 1 || !urls.first().isLocalFile())
        return {};
    return urls.first().toLocalFile();
}

QIcon iconForMimetype(const QString &mimetype)
{
    if (mimetype.startsWith(QLatin1String("image/")))
        return Icons::image();
    if (mimetype.startsWith(QLatin1String("video/")))
        return Icons::video();
    if (mimetype.startsWith(QLatin1String("audio/")))
        return Icons::audio();
    return Icons::document();
}
} // namespace

Composer::Composer(DesktopContext &context, QWidget *parent)
    : QWidget(parent)
    , m_context(context)
{
    setObjectName(QStringLiteral("composer"));
    setAcceptDrops(true);
    m_thumbnails = new ImageThumbnailer(int(kPreviewEdge * devicePixelRatioF() + 0.5), this);
    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    auto *toLabel = new QLabel(tr("&To:"), this);
    m_to = new QLineEdit(this);
    m_to->setObjectName(QStringLiteral("recipientEdit"));
    m_to->setPlaceholderText(tr("Phone number, e.g. +14155552671"));
    m_to->setAccessibleName(tr("Recipient phone number"));
    m_to->setMaxLength(40);
    toLabel->setBuddy(m_to);

    m_strip = new QFrame(this);
    m_strip->setObjectName(QStringLiteral("attachmentStrip"));
    m_strip->setFrameShape(QFrame::StyledPanel);
    auto *stripLayout = new QHBoxLayout(m_strip);
    stripLayout->setContentsMargins(4, 4, 4, 4);
    m_preview = new QLabel(m_strip);
    m_preview->setObjectName(QStringLiteral("attachmentPreview"));
    m_preview->setFixedSize(kPreviewEdge, kPreviewEdge);
    m_preview->setAlignment(Qt::AlignCenter);
    m_name = new QLabel(m_strip);
    m_name->setObjectName(QStringLiteral("attachmentName"));
    m_name->setTextFormat(Qt::PlainText); // file names come from anywhere
    m_name->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_size = new QLabel(m_strip);
    m_size->setObjectName(QStringLiteral("attachmentSize"));
    m_remove = new QToolButton(m_strip);
    m_remove->setObjectName(QStringLiteral("removeAttachmentButton"));
    m_remove->setIcon(Icons::removeAttachment());
    m_remove->setAutoRaise(true);
    m_remove->setToolTip(tr("Remove the attachment"));
    m_remove->setAccessibleName(tr("Remove attachment"));
    auto *nameColumn = new QVBoxLayout;
    nameColumn->addWidget(m_name);
    nameColumn->addWidget(m_size);
    stripLayout->addWidget(m_preview);
    stripLayout->addLayout(nameColumn, 1);
    stripLayout->addWidget(m_remove, 0, Qt::AlignTop);
    m_strip->hide();

    m_text = new MessageTextEdit([this](const QMimeData *data) { return attachFromMimeData(data); }, this);
    m_text->setObjectName(QStringLiteral("messageEdit"));
    m_text->setAccessibleName(tr("Message text"));
    m_text->setTabChangesFocus(true);
    m_text->setMaximumHeight(fontMetrics().lineSpacing() * 5 + 12);
    m_text->installEventFilter(this);
    m_quickReplies = new QuickReplyCompleter(m_context, m_text);
    m_attach = new QToolButton(this);
    m_attach->setObjectName(QStringLiteral("attachButton"));
    m_attach->setIcon(Icons::attach());
    m_attach->setToolTip(tr("Attach a file (or drop one here, or paste an image)"));
    m_attach->setAccessibleName(tr("Attach a file"));
    m_send = new QPushButton(Icons::send(), tr("&Send"), this);
    m_send->setObjectName(QStringLiteral("sendButton"));
    m_send->setAccessibleName(tr("Send message"));
    m_send->setToolTip(tr("Send (Ctrl+Enter)"));
    m_feedback = new QLabel(this);
    m_feedback->setObjectName(QStringLiteral("composerFeedback"));
    m_feedback->setWordWrap(true);
    m_feedback->setTextFormat(Qt::PlainText);
    layout->addWidget(toLabel, 0, 0);
    layout->addWidget(m_to, 0, 1, 1, 3);
    layout->addWidget(m_strip, 1, 0, 1, 4);
    layout->addWidget(m_attach, 2, 0, Qt::AlignBottom | Qt::AlignRight);
    layout->addWidget(m_text, 2, 1, 1, 2);
    layout->addWidget(m_send, 2, 3, Qt::AlignBottom);
    layout->addWidget(m_feedback, 3, 0, 1, 4);
    layout->setColumnStretch(1, 1);

    connect(m_send, &QPushButton::clicked, this, &Composer::send);
    connect(m_attach, &QToolButton::clicked, this, &Composer::chooseFile);
    connect(m_remove, &QToolButton::clicked, this, &Composer::clearAttachment);
    connect(m_to, &QLineEdit::textChanged, this, &Composer::updateEnabled);
    connect(m_text, &QPlainTextEdit::textChanged, this, &Composer::updateEnabled);
    connect(m_thumbnails, &ImageThumbnailer::ready, this, &Composer::onThumbnail);
    connect(&m_context.events(), &EventBus::published, this, &Composer::onEvent, Qt::QueuedConnection);
    showAttachment();
    updateEnabled();
}

Composer::~Composer() = default;

void Composer::setClient(const QString &clientId)
{
    m_clientId = clientId;
    m_followedMessageId.clear();
    m_feedback->clear();
    updateEnabled();
}

void Composer::setRecipient(const QString &phone)
{
    m_to->setText(phone);
}

QString Composer::recipient() const { return m_to->text().trimmed(); }
QString Composer::text() const { return m_text->toPlainText(); }
void Composer::setText(const QString &text) { m_text->setPlainText(text); }
QString Composer::lastError() const { return m_feedback->property("error").toString(); }
QString Composer::feedbackText() const { return m_feedback->text(); }

qint64 Composer::maxAttachmentBytes() const
{
    return m_context.services().settings().media.maxBytes;
}

void Composer::updateEnabled()
{
    const bool may = m_context.signedIn() && m_context.actor().can(Permission::SendMessages) && !m_clientId.isEmpty();
    m_to->setEnabled(may);
    m_text->setEnabled(may);
    m_attach->setEnabled(may);
    m_send->setEnabled(may && !recipient().isEmpty() && (hasAttachment() || !text().trimmed().isEmpty()));
}

void Composer::showError(const QString &message)
{
    if (!message.isEmpty())
        m_followedMessageId.clear(); // the refusal stays shown, whatever becomes of the last message
    m_feedback->setProperty("error", message);
    m_feedback->setText(message);
}

void Composer::onEvent(const Event &event)
{
    if (m_followedMessageId.isEmpty() || event.organizationId != m_context.actor().organizationId)
        return;
    const std::optional<MessageEventData> message = MessageEvents::parse(event);
    if (!message || message->messageId != m_followedMessageId)
        return;
    const std::optional<EventType> kind = event.kind();
    if (kind == EventType::MessageSent) {
        m_feedback->setText(tr("Sent."));
    } else if (kind == EventType::MessageDelivered) {
        m_feedback->setText(tr("Delivered."));
    } else if (kind == EventType::MessageRead) {
        m_followedMessageId.clear();
        m_feedback->clear();
    } else if (kind == EventType::MessageFailed) {
        m_followedMessageId.clear();
        showError(message->reason.isEmpty() ? tr("The message was not sent.")
                                             : tr("The message was not sent: %1").arg(message->reason));
    }
}

bool Composer::offersAttachment(const QMimeData *data)
{
    return data && (data->hasImage() || !localFileOf(data).isEmpty());
}

bool Composer::attachFromMimeData(const QMimeData *data)
{
    // A file beats its picture: a file manager may offer both, and the file keeps its name.
    const QString path = localFileOf(data);
    if (!path.isEmpty())
        return attachFile(path);
    if (data && data->hasImage())
        return attachImage(qvariant_cast<QImage>(data->imageData()));
    return false;
}

bool Composer::attachFile(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        showError(tr("The file %1 does not exist.").arg(info.fileName()));
        return false;
    }
    if (!info.isFile()) {
        showError(tr("Only files can be attached; %1 is not one.").arg(info.fileName()));
        return false;
    }
    if (!info.isReadable()) {
        showError(tr("The file %1 cannot be read.").arg(info.fileName()));
        return false;
    }
    Attachment a;
    a.present = true;
    a.path = info.absoluteFilePath();
    a.filename = info.fileName();
    a.size = info.size();
    a.mimetype = QMimeDatabase().mimeTypeForFile(info).name();
    return accept(std::move(a));
}

bool Composer::attachImage(const QImage &image)
{
    if (image.isNull()) {
        showError(tr("The clipboard holds no image that can be read."));
        return false;
    }
    Attachment a;
    a.present = true;
    QBuffer buffer(&a.bytes);
    buffer.open(QIODevice::WriteOnly);
    if (!image.save(&buffer, "PNG")) {
        showError(tr("The image could not be encoded as PNG."));
        return false;
    }
    a.filename = QStringLiteral("pasted-image.png");
    a.mimetype = QStringLiteral("image/png");
    a.size = a.bytes.size();
    return accept(std::move(a));
}

bool Composer::accept(Attachment attachment)
{
    if (attachment.size <= 0) {
        showError(tr("The file %1 is empty.").arg(attachment.filename));
        return false;
    }
    const qint64 limit = maxAttachmentBytes();
    if (limit > 0 && attachment.size > limit) {
        showError(tr("%1 is %2; files up to %3 can be sent.")
                      .arg(attachment.filename, dataSizeText(attachment.size), dataSizeText(limit)));
        return false;
    }
    if (!m_previewKey.isEmpty())
        m_thumbnails->forget(m_previewKey);
    m_attachment = std::move(attachment);
    showError(QString());
    m_feedback->clear();
    showAttachment();
    updateEnabled();
    emit attachmentChanged();
    return true;
}

void Composer::clearAttachment()
{
    if (!m_previewKey.isEmpty())
        m_thumbnails->forget(m_previewKey);
    m_previewKey.clear();
    m_attachment = Attachment();
    showAttachment();
    updateEnabled();
    emit attachmentChanged();
}

void Composer::showAttachment()
{
    const Attachment &a = m_attachment;
    m_strip->setVisible(a.present);
    m_text->setPlaceholderText(a.present ? tr("Add a caption (optional; Ctrl+Enter sends)")
                                         : tr("Write a message (Ctrl+Enter sends)"));
    m_text->setAccessibleName(a.present ? tr("Caption") : tr("Message text"));
    if (!a.present) {
        m_preview->clear();
        m_name->clear();
        m_size->clear();
        return;
    }
    m_name->setText(a.filename);
    m_size->setText(dataSizeText(a.size));
    m_strip->setAccessibleName(tr("Attachment: %1, %2").arg(a.filename, dataSizeText(a.size)));
    const qreal dpr = devicePixelRatioF();
    m_preview->setPixmap(iconForMimetype(a.mimetype).pixmap(QSize(32, 32), dpr));
    if (!a.mimetype.startsWith(QLatin1String("image/")))
        return;
    if (!a.path.isEmpty()) {
        // Decoded off this thread; the icon stays until it is there.
        const QFileInfo info(a.path);
        m_previewKey = QStringLiteral("%1|%2|%3").arg(a.path).arg(a.size).arg(info.lastModified().toMSecsSinceEpoch());
        if (m_thumbnails->state(m_previewKey) == ImageThumbnailer::State::Ready)
            onThumbnail(m_previewKey);
        else
            m_thumbnails->requestFile(m_previewKey, a.path);
    } else {
        m_previewKey.clear();
        QImage image;
        image.loadFromData(a.bytes, "PNG");
        if (!image.isNull()) {
            QPixmap pixmap = QPixmap::fromImage(image.scaled(QSize(kPreviewEdge, kPreviewEdge) * dpr, Qt::KeepAspectRatio,
                                                             Qt::SmoothTransformation));
            pixmap.setDevicePixelRatio(dpr);
            m_preview->setPixmap(pixmap);
        }
    }
}

void Composer::onThumbnail(const QString &key)
{
    if (key != m_previewKey)
        return;
    const QImage image = m_thumbnails->thumbnail(key);
    if (image.isNull())
        return; // not a picture Qt reads: the icon stays
    QPixmap pixmap = QPixmap::fromImage(image);
    pixmap.setDevicePixelRatio(devicePixelRatioF());
    m_preview->setPixmap(pixmap);
}

void Composer::chooseFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Attach a file"));
    if (!path.isEmpty())
        attachFile(path);
}

void Composer::dragEnterEvent(QDragEnterEvent *event)
{
    if (m_attach->isEnabled() && offersAttachment(event->mimeData()))
        event->acceptProposedAction();
    else
        QWidget::dragEnterEvent(event);
}

void Composer::dragMoveEvent(QDragMoveEvent *event)
{
    if (m_attach->isEnabled() && offersAttachment(event->mimeData()))
        event->acceptProposedAction();
    else
        QWidget::dragMoveEvent(event);
}

void Composer::dropEvent(QDropEvent *event)
{
    if (m_attach->isEnabled() && offersAttachment(event->mimeData())) {
        attachFromMimeData(event->mimeData());
        event->acceptProposedAction();
        return;
    }
    QWidget::dropEvent(event);
}

bool Composer::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_text && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        if ((key->key() == Qt::Key_Return || key->key() == Qt::Key_Enter) && (key->modifiers() & Qt::ControlModifier)) {
            if (m_send->isEnabled())
                send();
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

QString Composer::send()
{
    if (!m_send->isEnabled())
        return {};
    // A new key per press: a retry after a refusal is a new request, as for the API.
    const QString key = QStringLiteral("desktop-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    // The chosen file is read now, mapped rather than copied: it stays mapped until the send
    // has stored it (MessageService::send returns once it is stored).
    QFile file;
    MessageService::Content content;
    content.text = text();
    if (hasAttachment()) {
        if (m_attachment.path.isEmpty()) {
            content.media = m_attachment.bytes;
        } else {
            file.setFileName(m_attachment.path);
            if (!file.open(QIODevice::ReadOnly)) {
                showError(tr("The file %1 can no longer be read: %2").arg(m_attachment.filename, file.errorString()));
                return {};
            }
            const qint64 size = file.size();
            const qint64 limit = maxAttachmentBytes();
            if (size <= 0) {
                showError(tr("The file %1 is empty.").arg(m_attachment.filename));
                return {};
            }
            if (limit > 0 && size > limit) {
                showError(tr("The file %1 changed since it was attached and is now %2; files up to %3 can be sent.")
                              .arg(m_attachment.filename, dataSizeText(size), dataSizeText(limit)));
                return {};
            }
            if (const uchar *mapped = file.map(0, size))
                content.media = QByteArray::fromRawData(reinterpret_cast<const char *>(mapped), qsizetype(size));
            else
                content.media = file.readAll();
            if (content.media->size() != size) {
                showError(tr("The file %1 can no longer be read: %2").arg(m_attachment.filename, file.errorString()));
                return {};
            }
        }
        content.filename = m_attachment.filename;
    }
    Result<MessageService::Accepted> accepted = m_context.messages().send(m_context.actor(), m_clientId, recipient(), content, key);
    content.media.reset(); // before the mapping goes with `file`
    if (!accepted) {
        const DomainError &e = accepted.error();
        QString message = errorMessageFor(e);
        if (e.retryAfterSeconds > 0)
            message += QLatin1Char(' ') + tr("Try again in %n second(s).", nullptr, e.retryAfterSeconds);
        showError(message);
        return {};
    }
    showError(QString());
    m_followedMessageId = accepted.value().messageId;
    m_feedback->setText(tr("Queued."));
    m_text->clear();
    clearAttachment();
    emit sent(m_clientId, accepted.value().messageId);
    return accepted.value().messageId;
}

} // namespace wadesk
