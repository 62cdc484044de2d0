#pragma once

#include <QObject>
#include <QString>

class QAbstractItemView;
class QCompleter;
class QPlainTextEdit;
class QStandardItemModel;

namespace wadesk {

class DesktopContext;

// The composer's "/shortcut" expansion: typing "/" and letters at the start of the text or
// after a space offers the quick replies whose shortcut starts with them (TemplateService,
// read with the signed-in actor, so only roles that send see any); Tab or Enter, or a click,
// replaces "/letters" with the chosen reply's text. Installed on a text edit with one line;
// the edit keeps every other key.
class QuickReplyCompleter final : public QObject {
    Q_OBJECT
public:
    QuickReplyCompleter(DesktopContext &context, QPlainTextEdit *edit);

    QCompleter *completer() const { return m_completer; }
    QAbstractItemView *popup() const;
    bool popupVisible() const;
    // The "/letters" token just before the cursor ("" when there is none).
    QString currentToken() const;
    // Replaces the token with the text of the quick reply `shortcut`; false when it has none.
    bool expand(const QString &shortcut);
    // Re-reads the quick replies (done by itself when a token starts).
    void reload();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void onTextChanged();
    bool expandCurrent();

    DesktopContext &m_context;
    QPlainTextEdit *m_edit;
    QStandardItemModel *m_model;
    QCompleter *m_completer;
    bool m_expanding = false;
};

} // namespace wadesk
