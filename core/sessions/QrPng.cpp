#include "core/sessions/QrPng.h"

#include <QtEndian>
#include <qrencode.h>
#include <array>
#include <memory>

namespace wadesk::QrPng {

namespace {
quint32 crc32(const QByteArray &data)
{
    static const std::array<quint32, 256> table = []() {
        std::array<quint32, 256> t{};
        for (quint32 n = 0; n < 256; ++n) {
            quint32 c = n;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    quint32 c = 0xFFFFFFFFu;
    for (const char byte : data)
        c = table[(c ^ quint8(byte)) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

void appendUint32(QByteArray &out, quint32 v)
{
    char buf[4];
    qToBigEndian(v, buf);
    out.append(buf, 4);
}

void appendChunk(QByteArray &png, const char *type, const QByteArray &data)
{
    appendUint32(png, quint32(data.size()));
    QByteArray typed(type, 4);
    typed += data;
    png += typed;
    appendUint32(png, crc32(typed));
}
} // namespace

QByteArray render(const QString &text, int scale)
{
    const QByteArray utf8 = text.toUtf8();
    std::unique_ptr<QRcode, decltype(&QRcode_free)> code(QRcode_encodeString(utf8.constData(), 0, QR_ECLEVEL_M, QR_MODE_8, 1),
                                                         QRcode_free);
    if (!code)
        return {};
    constexpr int quiet = 4;
    const int modules = code->width + 2 * quiet;
    const int size = modules * scale;

    // 8-bit grayscale rows, each prefixed with filter type 0.
    QByteArray raw;
    raw.reserve((size + 1) * size);
    for (int y = 0; y < size; ++y) {
        raw.append('\0');
        const int my = y / scale - quiet;
        for (int x = 0; x < size; ++x) {
            const int mx = x / scale - quiet;
            const bool dark = mx >= 0 && my >= 0 && mx < code->width && my < code->width
                && (code->data[my * code->width + mx] & 1);
            raw.append(dark ? '\0' : '\xff');
        }
    }
    // qCompress = 4-byte length + a zlib stream, which is what IDAT holds.
    const QByteArray zlib = qCompress(raw, 9).mid(4);

    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    QByteArray ihdr;
    appendUint32(ihdr, quint32(size));
    appendUint32(ihdr, quint32(size));
    ihdr.append(char(8));  // bit depth
    ihdr.append(char(0));  // grayscale
    ihdr.append(char(0));  // deflate
    ihdr.append(char(0));  // adaptive filtering
    ihdr.append(char(0));  // no interlace
    appendChunk(png, "IHDR", ihdr);
    appendChunk(png, "IDAT", zlib);
    appendChunk(png, "IEND", QByteArray());
    return png;
}

} // namespace wadesk::QrPng
