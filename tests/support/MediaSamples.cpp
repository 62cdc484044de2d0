#include "tests/support/MediaSamples.h"

#include <QBuffer>
#include <QImage>
#include <QList>
#include <QRandomGenerator>
#include <QtEndian>
#include <cmath>

namespace wadesk::test::MediaSamples {

namespace {

QByteArray encode(const QImage &image, const char *format, int quality = -1)
{
    QByteArray out;
    QBuffer buffer(&out);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, format, quality);
    return out;
}

QImage pattern(int width, int height, int seed)
{
    QImage image(width, height, QImage::Format_RGB32);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x)
            image.setPixel(x, y, qRgb((x * 16 + seed) & 0xff, (y * 16 + seed * 3) & 0xff, (x * y + seed * 7) & 0xff));
    return image;
}

QByteArray be32(quint32 v)
{
    QByteArray b(4, '\0');
    qToBigEndian(v, b.data());
    return b;
}

QByteArray le32(quint32 v)
{
    QByteArray b(4, '\0');
    qToLittleEndian(v, b.data());
    return b;
}

QByteArray le16(quint16 v)
{
    QByteArray b(2, '\0');
    qToLittleEndian(v, b.data());
    return b;
}

QByteArray box(const QByteArray &type, const QByteArray &payload)
{
    return be32(quint32(8 + payload.size())) + type + payload;
}

QByteArray oggPage(const QByteArray &packet, quint8 flags, quint32 sequence)
{
    QByteArray page("OggS");
    page += char(0);
    page += char(flags);
    page += QByteArray(8, '\0');   // granule position
    page += le32(0x1234);          // serial
    page += le32(sequence);
    page += le32(0);               // CRC (not checked by the detector; real players would)
    QByteArray segments;
    int rest = int(packet.size());
    while (rest >= 255) {
        segments += char(255);
        rest -= 255;
    }
    segments += char(rest);
    page += char(segments.size());
    page += segments;
    page += packet;
    return page;
}

} // namespace

QByteArray png(int width, int height, int seed)
{
    return encode(pattern(width, height, seed), "PNG");
}

QByteArray jpeg(int width, int height, int seed)
{
    return encode(pattern(width, height, seed), "JPG", 90);
}

QByteArray pngOfSize(int bytes, int seed)
{
    // Noise does not compress: about 3 bytes a pixel.
    const int side = qMax(4, int(std::sqrt(bytes / 3.0)));
    QImage image(side, side, QImage::Format_RGB32);
    QRandomGenerator random(quint32(seed) + 1);
    for (int y = 0; y < side; ++y)
        for (int x = 0; x < side; ++x)
            image.setPixel(x, y, random.generate() | 0xff000000);
    return encode(image, "PNG");
}

QByteArray webp()
{
    // Qt's WebP plugin when it is installed (qt6-image-formats-plugins); else a hand-made file.
    const QByteArray encoded = encode(pattern(8, 8, 1), "WEBP");
    if (encoded.startsWith("RIFF"))
        return encoded;
    // A lossless (VP8L) 1x1 image: signature byte 0x2f, then 14-bit width-1 and height-1.
    const QByteArray vp8l = QByteArray::fromHex("2f000000100700000000");
    QByteArray chunk = QByteArray("VP8L") + le32(quint32(vp8l.size())) + vp8l;
    if (chunk.size() % 2)
        chunk += char(0);
    return QByteArray("RIFF") + le32(quint32(4 + chunk.size())) + QByteArray("WEBP") + chunk;
}

QByteArray gif()
{
    return QByteArray::fromHex("47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b");
}

QByteArray mp4(const QByteArray &majorBrand, int mdatBytes)
{
    const QByteArray ftyp = box("ftyp", majorBrand + be32(0x200) + majorBrand + QByteArray("mp41"));
    const QByteArray moov = box("moov", box("mvhd", QByteArray(100, '\0')));
    QByteArray media(mdatBytes, '\0');
    for (int i = 0; i < mdatBytes; ++i)
        media[i] = char(i * 31);
    return ftyp + moov + box("mdat", media);
}

QByteArray adtsAac(int frames)
{
    QByteArray out;
    const int length = 120;
    for (int f = 0; f < frames; ++f) {
        QByteArray frame(length, '\x11');
        frame[0] = char(0xFF);
        frame[1] = char(0xF1); // MPEG-4, layer 0, no CRC
        frame[2] = char(0x50); // AAC LC, 44.1 kHz
        frame[3] = char(0x80 | ((length >> 11) & 0x03));
        frame[4] = char((length >> 3) & 0xFF);
        frame[5] = char(((length & 7) << 5) | 0x1F);
        frame[6] = char(0xFC);
        out += frame;
    }
    return out;
}

QByteArray mp3(int frames, bool id3)
{
    QByteArray out;
    if (id3) {
        const QByteArray tag = QByteArray("TIT2") + be32(6) + QByteArray(2, '\0') + QByteArray("\0Song", 5) + QByteArray(1, '\0');
        out += QByteArray("ID3\x03\x00\x00", 6);
        const int n = int(tag.size());
        out += char((n >> 21) & 0x7f);
        out += char((n >> 14) & 0x7f);
        out += char((n >> 7) & 0x7f);
        out += char(n & 0x7f);
        out += tag;
    }
    // MPEG-1 layer III, 128 kbit/s, 44.1 kHz, no padding: 144 * 128000 / 44100 = 417 bytes.
    for (int f = 0; f < frames; ++f) {
        QByteArray frame(417, '\x55');
        frame[0] = char(0xFF);
        frame[1] = char(0xFB);
        frame[2] = char(0x90);
        frame[3] = char(0x64);
        out += frame;
    }
    return out;
}

QByteArray amr()
{
    QByteArray out("#!AMR\n");
    for (int i = 0; i < 10; ++i)
        out += QByteArray::fromHex("3c48f5") + QByteArray(29, '\x20');
    return out;
}

QByteArray oggOpus()
{
    QByteArray head("OpusHead");
    head += char(1);        // version
    head += char(1);        // channels
    head += le16(312);      // pre-skip
    head += le32(48000);    // input rate
    head += le16(0);        // gain
    head += char(0);        // mapping family
    QByteArray tags("OpusTags");
    tags += le32(6) + QByteArray("WaDesk") + le32(0);
    return oggPage(head, 0x02, 0) + oggPage(tags, 0x00, 1) + oggPage(QByteArray(300, '\x7a'), 0x04, 2);
}

QByteArray oggVorbis()
{
    QByteArray head("\x01vorbis", 7);
    head += QByteArray(23, '\x01');
    return oggPage(head, 0x02, 0) + oggPage(QByteArray(100, '\x7a'), 0x04, 1);
}

QByteArray pdf()
{
    return QByteArray("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
                      "2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
                      "xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
                      "trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n110\n%%EOF\n");
}

QByteArray zip(const QList<QByteArray> &names, const QByteArray &firstEntryContent)
{
    QByteArray out;
    QByteArray directory;
    for (int i = 0; i < names.size(); ++i) {
        const QByteArray &name = names.at(i);
        const QByteArray content = (i == 0 && !firstEntryContent.isEmpty()) ? firstEntryContent : QByteArray("<x/>");
        const quint32 offset = quint32(out.size());
        QByteArray common = le16(20) + le16(0) + le16(0) /* stored */ + le16(0) + le16(0) + le32(0) /* crc */
            + le32(quint32(content.size())) + le32(quint32(content.size())) + le16(quint16(name.size())) + le16(0);
        out += QByteArray("PK\x03\x04", 4) + common + name + content;
        directory += QByteArray("PK\x01\x02", 4) + le16(20) + common + le16(0) + le16(0) + le16(0) + le32(0) + le32(offset) + name;
    }
    const quint32 directoryOffset = quint32(out.size());
    out += directory;
    out += QByteArray("PK\x05\x06", 4) + le16(0) + le16(0) + le16(quint16(names.size())) + le16(quint16(names.size()))
        + le32(quint32(directory.size())) + le32(directoryOffset) + le16(0);
    return out;
}

QByteArray docx()
{
    return zip({"[Content_Types].xml", "_rels/.rels", "word/document.xml"});
}

QByteArray xlsx()
{
    return zip({"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml"});
}

QByteArray pptx()
{
    return zip({"[Content_Types].xml", "_rels/.rels", "ppt/presentation.xml"});
}

QByteArray odt()
{
    return zip({"mimetype", "content.xml", "META-INF/manifest.xml"}, "application/vnd.oasis.opendocument.text");
}

QByteArray compoundFile(const QString &streamName)
{
    QByteArray header(512, '\0');
    header.replace(0, 8, QByteArray::fromHex("d0cf11e0a1b11ae1"));
    header.replace(24, 2, le16(0x3e));  // minor version
    header.replace(26, 2, le16(3));     // major version 3: 512-byte sectors
    header.replace(28, 2, le16(0xfffe)); // byte order
    header.replace(30, 2, le16(9));     // sector shift
    header.replace(32, 2, le16(6));     // mini sector shift
    header.replace(48, 4, le32(1));     // first directory sector
    QByteArray fat(512, '\xff');
    QByteArray directory(512, '\0');
    auto entry = [&directory](int index, const QString &name, char type) {
        QByteArray utf16;
        for (QChar c : name)
            utf16 += char(c.unicode() & 0xff), utf16 += char(0);
        utf16 += QByteArray(2, '\0');
        directory.replace(index * 128, utf16.size(), utf16);
        directory.replace(index * 128 + 64, 2, le16(quint16(utf16.size())));
        directory[index * 128 + 66] = type;
    };
    entry(0, QStringLiteral("Root Entry"), 5);
    if (!streamName.isEmpty())
        entry(1, streamName, 2);
    return header + fat + directory + QByteArray(512, '\0');
}

QByteArray exe()
{
    QByteArray out("MZ");
    out += QByteArray(58, '\0') + le32(64) + QByteArray("PE\0\0", 4) + QByteArray(400, '\x90');
    return out;
}

QByteArray elf()
{
    return QByteArray("\x7f" "ELF\x02\x01\x01", 7) + QByteArray(200, '\0');
}

QByteArray html()
{
    return QByteArray("<!DOCTYPE html>\n<html><head><title>x</title></head><body><script>alert(1)</script></body></html>\n");
}

QByteArray svg()
{
    return QByteArray("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><script>alert(1)</script></svg>\n");
}

} // namespace wadesk::test::MediaSamples
