#pragma once

#include <QByteArray>
#include <QString>

// Real, small files of every type the media store accepts or refuses, made in the tests: PNG
// and JPEG written by QImage (Qt's own encoders), the others built byte by byte after their
// specifications (a valid structure: boxes, pages, frames, ZIP directories, CFB headers).
// Compile this file into the test (it needs Qt6::Gui), it is not part of the support library.
namespace wadesk::test::MediaSamples {

QByteArray png(int width = 16, int height = 16, int seed = 0);
QByteArray jpeg(int width = 16, int height = 16, int seed = 0);
// A PNG of about `bytes` bytes (noise, so it does not compress), different for every seed.
QByteArray pngOfSize(int bytes, int seed);
QByteArray webp();
QByteArray gif();
QByteArray mp4(const QByteArray &majorBrand = QByteArrayLiteral("isom"), int mdatBytes = 1000);
QByteArray adtsAac(int frames = 5);
QByteArray mp3(int frames = 5, bool id3 = false);
QByteArray amr();
QByteArray oggOpus();
QByteArray oggVorbis();
QByteArray pdf();
// A stored-entries ZIP with the given entry names (each holding a few bytes).
QByteArray zip(const QList<QByteArray> &names, const QByteArray &firstEntryContent = QByteArray());
QByteArray docx();
QByteArray xlsx();
QByteArray pptx();
QByteArray odt();
// A compound file (OLE2) whose directory names `streamName` (empty: no Office stream).
QByteArray compoundFile(const QString &streamName);
QByteArray exe();
QByteArray elf();
QByteArray html();
QByteArray svg();

} // namespace wadesk::test::MediaSamples
