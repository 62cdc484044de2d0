#pragma once

#include <QString>
#include <QWidget>

class QFrame;
class QImage;
class QLabel;
class QLineEdit;
class QMimeData;
class QPlainTextEdit;
class QPushButton;
class QToolButton;

namespace wadesk {

class DesktopContext;
struct Event;
class ImageThumbnailer;
class QuickReplyCompleter;

// Writes and sends a message. A send goes through MessageService::send with the signed-in
// actor: the same validation, opt-out check, daily budget and durable queue as the REST API;
// the composer shows the outcome ("Queued.", or why not) and follows the message it sent last:
// "Sent.", "Delivered.", nothing once it was read (the thread shows its ticks), or why it failed.
//
// One file may go with a message: chosen with the paperclip, dropped on the composer, or an
// image pasted from the clipboard (kept as PNG). A strip above the text shows it (a thumbnail for
// a picture, else the kind's icon, with its name and size, and a button to remove it) and the
// text becomes its caption. A file over the media size limit (media/maxBytes) is refused here,
// before anything is sent. A chosen file stays on disk and is read when the message is sent;
// what type it is, the media store decides from its content.
class Composer final : public QWidget {
    Q_OBJECT
public:
    explicit Composer(DesktopContext &context, QWidget *parent = nullptr);
    ~Composer() override;

    void setClient(const QString &clientId);
    void setRecipient(const QString &phone);
    QString recipient() const;
    QString text() const;
    void setText(const QString &text);
    QLineEdit *recipientEdit() const { return m_to; }
    QPlainTextEdit *textEdit() const { return m_text; }
    QPushButton *sendButton() const { return m_send; }
    QToolButton *attachButton() const { return m_attach; }
    QString lastError() const;
    // The line under the text: the last send's progress or the last refusal.
    QString feedbackText() const;

    // The attachment. Each returns false (with the reason shown) when refused: missing,
    // unreadable, not a regular file, empty, or over the size limit.
    bool attachFile(const QString &path);
    bool attachImage(const QImage &image); // encoded as PNG ("pasted-image.png")
    // A file (one local URL) or an image in `data`, as dropped or pasted; false when it holds neither.
    bool attachFromMimeData(const QMimeData *data);
    static bool offersAttachment(const QMimeData *data);
    void clearAttachment();
    bool hasAttachment() const { return m_attachment.present; }
    QString attachmentName() const { return m_attachment.filename; }
    qint64 attachmentSize() const { return m_attachment.size; }
    QString attachmentPath() const { return m_attachment.path; } // empty for a pasted image
    // The strip that shows it (hidden without one), its thumbnail label and its remove button.
    QFrame *attachmentStrip() const { return m_strip; }
    QLabel *attachmentPreview() const { return m_preview; }
    QToolButton *removeAttachmentButton() const { return m_remove; }
    // The largest file the composer takes, from the media settings.
    qint64 maxAttachmentBytes() const;
    // The "/shortcut" expansion of quick replies in the text.
    QuickReplyCompleter *quickReplies() const { return m_quickReplies; }

public slots:
    // Sends what is written (and attached); returns the message id (empty when refused, with
    // the reason shown).
    QString send();
    // The file dialog behind the paperclip.
    void chooseFile();

signals:
    void sent(const QString &clientId, const QString &messageId);
    void attachmentChanged();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    struct Attachment {
        bool present = false;
        QString path;     // a file chosen or dropped, read when sending
        QByteArray bytes; // a pasted image, as PNG
        QString filename;
        QString mimetype; // for the strip's icon only; the media store decides from the content
        qint64 size = 0;
    };
    bool accept(Attachment attachment);
    void showAttachment();
    void onThumbnail(const QString &key);
    void updateEnabled();
    void showError(const QString &message);
    void onEvent(const Event &event);

    DesktopContext &m_context;
    QString m_clientId;
    Attachment m_attachment;
    QString m_previewKey;
    QString m_followedMessageId; // the last message sent from here, until it was read or failed
    QLineEdit *m_to = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QPushButton *m_send = nullptr;
    QToolButton *m_attach = nullptr;
    QFrame *m_strip = nullptr;
    QLabel *m_preview = nullptr;
    QLabel *m_name = nullptr;
    QLabel *m_size = nullptr;
    QToolButton *m_remove = nullptr;
    QLabel *m_feedback = nullptr;
    ImageThumbnailer *m_thumbnails = nullptr;
    QuickReplyCompleter *m_quickReplies = nullptr;
};

} // namespace wadesk
