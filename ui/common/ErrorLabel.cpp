#include "ui/common/ErrorLabel.h"

#include <QDialog>
#include <QEvent>
#include <QLayout>

namespace wadesk {

ErrorLabel::ErrorLabel(const QString &objectName, const QString &accessibleName, QWidget *parent)
    : QLabel(parent)
{
    setObjectName(objectName);
    setAccessibleName(accessibleName);
    setWordWrap(true);
    setTextFormat(Qt::PlainText); // messages may quote what people typed
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    applyColour();
    setVisible(false);
}

void ErrorLabel::showError(const QString &message)
{
    setText(message);
    setVisible(!message.isEmpty());
    // A dialog does not grow by itself for a wrapped line that appears once it is shown: the
    // message would be cut off. Grow it (never shrink what the user sized).
    auto *dialog = qobject_cast<QDialog *>(window());
    if (message.isEmpty() || !dialog || !dialog->layout())
        return;
    dialog->layout()->activate();
    const int needed = dialog->layout()->hasHeightForWidth() ? dialog->layout()->totalHeightForWidth(dialog->width())
                                                             : dialog->sizeHint().height();
    if (dialog->height() < needed)
        dialog->resize(dialog->width(), needed);
}

QColor ErrorLabel::colourOn(const QPalette &palette)
{
    // Material's error reds: the dark one on light backgrounds, a light one on dark ones.
    return palette.color(QPalette::Window).lightnessF() < 0.5 ? QColor(0xff, 0x8a, 0x80) : QColor(0xb0, 0x00, 0x20);
}

void ErrorLabel::changeEvent(QEvent *event)
{
    QLabel::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange)
        applyColour();
}

void ErrorLabel::applyColour()
{
    QPalette p = palette();
    const QColor colour = colourOn(p);
    if (p.color(QPalette::WindowText) == colour)
        return; // setPalette below sends a PaletteChange of its own
    p.setColor(QPalette::WindowText, colour);
    setPalette(p);
}

} // namespace wadesk
