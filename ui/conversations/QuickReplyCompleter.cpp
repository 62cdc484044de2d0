#include "ui/conversations/QuickReplyCompleter.h"

#include "core/templates/TemplateService.h"
#include "ui/desktop/DesktopContext.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QKeyEvent>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QStandardItemModel>
#include <QTextBlock>
#include <QTextCursor>

namespace wadesk {

namespace {
constexpr int kShortcutRole = Qt::UserRole + 1;
constexpr int kTextRole = Qt::UserRole + 2;
}

QuickReplyCompleter::QuickReplyCompleter(DesktopContext &context, QPlainTextEdit *edit)
    : QObject(edit)
    , m_context(context)
    , m_edit(edit)
    , m_model(new QStandardItemModel(this))
    , m_completer(new QCompleter(this))
{
    setObjectName(QStringLiteral("quickReplyCompleter"));
    m_completer->setModel(m_model);
    m_completer->setWidget(m_edit);
    m_completer->setCompletionRole(kShortcutRole);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_completer->setCompletionMode(QCompleter::PopupCompletion);
    m_completer->popup()->setObjectName(QStringLiteral("quickReplyPopup"));
    m_completer->popup()->setAccessibleName(tr("Quick replies"));
    // Ours sees the popup's keys before QCompleter's (the filter installed last runs first):
    // QCompleter hands Enter and Tab to a text edit, which would take them as text.
    m_completer->popup()->installEventFilter(this);
    m_edit->installEventFilter(this);
    connect(m_completer, qOverload<const QModelIndex &>(&QCompleter::activated), this,
            [this](const QModelIndex &index) { expand(index.data(kShortcutRole).toString()); });
    connect(m_edit, &QPlainTextEdit::textChanged, this, &QuickReplyCompleter::onTextChanged);
}

QAbstractItemView *QuickReplyCompleter::popup() const
{
    return m_completer->popup();
}

bool QuickReplyCompleter::popupVisible() const
{
    return m_completer->popup()->isVisible();
}

void QuickReplyCompleter::reload()
{
    m_model->clear();
    if (!m_context.signedIn() || !m_context.actor().can(Permission::SendMessages))
        return;
    const Result<QList<QuickReplyRecord>> replies = m_context.services().templates().quickReplies(m_context.actor());
    if (!replies)
        return;
    for (const QuickReplyRecord &r : replies.value()) {
        auto *item = new QStandardItem(QStringLiteral("/%1  %2").arg(r.shortcut, r.text.section(QLatin1Char('\n'), 0, 0).left(80)));
        item->setData(r.shortcut, kShortcutRole);
        item->setData(r.text, kTextRole);
        item->setToolTip(r.text.left(1000));
        m_model->appendRow(item);
    }
}

QString QuickReplyCompleter::currentToken() const
{
    const QTextCursor cursor = m_edit->textCursor();
    const QString before = cursor.block().text().left(cursor.positionInBlock());
    static const QRegularExpression token(QStringLiteral("(?:^|\\s)/([A-Za-z0-9_-]{0,32})$"));
    const QRegularExpressionMatch m = token.match(before);
    return m.hasMatch() ? QLatin1Char('/') + m.captured(1) : QString();
}

void QuickReplyCompleter::onTextChanged()
{
    if (m_expanding)
        return;
    const QString token = currentToken();
    if (token.isEmpty()) {
        m_completer->popup()->hide();
        return;
    }
    if (token.size() == 1 || m_model->rowCount() == 0)
        reload(); // a new token: the replies as they are now
    m_completer->setCompletionPrefix(token.mid(1));
    if (m_completer->completionCount() == 0) {
        m_completer->popup()->hide();
        return;
    }
    QRect at = m_edit->cursorRect();
    at.setWidth(m_completer->popup()->sizeHintForColumn(0) + m_completer->popup()->verticalScrollBar()->sizeHint().width());
    m_completer->complete(at);
    m_completer->popup()->setCurrentIndex(m_completer->completionModel()->index(0, 0));
}

bool QuickReplyCompleter::expandCurrent()
{
    QModelIndex current = m_completer->popup()->currentIndex();
    if (!current.isValid())
        current = m_completer->completionModel()->index(0, 0);
    if (!current.isValid())
        return false;
    return expand(current.data(kShortcutRole).toString());
}

bool QuickReplyCompleter::expand(const QString &shortcut)
{
    QString text;
    bool found = false;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const QStandardItem *item = m_model->item(row);
        if (item->data(kShortcutRole).toString().compare(shortcut, Qt::CaseInsensitive) == 0) {
            text = item->data(kTextRole).toString();
            found = true;
            break;
        }
    }
    m_completer->popup()->hide();
    const QString token = currentToken();
    if (!found || token.isEmpty())
        return false;
    m_expanding = true;
    QTextCursor cursor = m_edit->textCursor();
    cursor.movePosition(QTextCursor::Left, QTextCursor::KeepAnchor, int(token.size()));
    cursor.insertText(text);
    m_edit->setTextCursor(cursor);
    m_expanding = false;
    return true;
}

bool QuickReplyCompleter::eventFilter(QObject *watched, QEvent *event)
{
    if (event->type() == QEvent::KeyPress && popupVisible() && (watched == m_edit || watched == m_completer->popup())) {
        const int key = static_cast<QKeyEvent *>(event)->key();
        const Qt::KeyboardModifiers modifiers = static_cast<QKeyEvent *>(event)->modifiers();
        if ((key == Qt::Key_Tab || key == Qt::Key_Return || key == Qt::Key_Enter) && !(modifiers & Qt::ControlModifier)) {
            expandCurrent();
            return true;
        }
        if (key == Qt::Key_Escape) {
            m_completer->popup()->hide();
            return true;
        }
    }
    return QObject::eventFilter(watched, event);
}

} // namespace wadesk
