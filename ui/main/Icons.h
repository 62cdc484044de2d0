#pragma once

#include <QColor>
#include <QIcon>
#include <QPalette>

namespace wadesk {

// Icons for the desktop: the freedesktop theme first (crisp at any scale), then the style's
// standard pixmaps, then a few simple vector shapes painted in the palette's text colour at the
// size and device pixel ratio asked for (a QIconEngine, not a set of pixmaps). Nothing here hard-codes a colour: icons and badges follow the light/dark palette.
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
// Attachments: the composer's paperclip, remove, and the kinds of file a message carries.
QIcon attach();
QIcon removeAttachment();
QIcon openFile();
QIcon saveFile();
QIcon document();
QIcon image();
QIcon video();
QIcon audio();
// The icon for a message type (image, video, audio, voice, document, sticker); document otherwise.
QIcon forMediaType(const QString &type);

// A badge colour for a tone, derived from the palette's highlight (its saturation and
// value, with the hue of the tone) so it stays readable on light and dark themes.
enum class Tone { Neutral, Good, Warning, Bad, Busy };
QColor badgeColor(const QPalette &palette, Tone tone);
// Black or white text, whichever reads better on `background`.
QColor textOn(const QColor &background);
} // namespace Icons

} // namespace wadesk
