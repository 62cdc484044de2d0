#pragma once

#include <QLabel>

namespace wadesk {

// The line under a form or list that says what went wrong: the same colour, format and
// behaviour on every screen, legible on light and dark palettes alike. Hidden while empty.
class ErrorLabel : public QLabel {
    Q_OBJECT
public:
    ErrorLabel(const QString &objectName, const QString &accessibleName, QWidget *parent);

    void showError(const QString &message);
    // A red that keeps a 4.5:1 contrast against the palette's window colour.
    static QColor colourOn(const QPalette &palette);

protected:
    void changeEvent(QEvent *event) override;

private:
    void applyColour();
};

} // namespace wadesk
