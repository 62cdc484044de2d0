#pragma once

#include <QColor>
#include <QIcon>
#include <QPalette>

namespace wadesk {

// Icons for the desktop: the freedesktop theme first (crisp at any scale), then the style's
// standard pixmaps, then a few simple shapes painted in the palette's text colour at 1x, 2x
// and 3x. Nothing here hard-codes a colour: icons and badges follow the light/dark palette.
namespace Icons {
QIcon addClient();
QIcon rename();
QIcon start();
QIcon stop();
QIcon logout();
QIcon pause();
QIcon resume();
QIcon refresh();
QIcon send();
QIcon search();
QIcon about();
QIcon quit();

// A badge colour for a tone, derived from the palette's highlight (its saturation and
// value, with the hue of the tone) so it stays readable on light and dark themes.
enum class Tone { Neutral, Good, Warning, Bad, Busy };
QColor badgeColor(const QPalette &palette, Tone tone);
// Black or white text, whichever reads better on `background`.
QColor textOn(const QColor &background);
} // namespace Icons

} // namespace wadesk
