#include "core/media/MediaTypes.h"

#include <QHash>
#include <QIODevice>
#include <QMimeDatabase>
#include <QSet>
#include <QStringDecoder>

#include <array>
#include <cstring>

namespace wadesk {

namespace {

constexpr qint64 kHeadBytes = 4096;
constexpr qint64 kScanPiece = 1024 * 1024;
// How many frames of an audio stream (ADTS, MPEG) are walked: enough to tell a stream from a
// file that merely starts with a sync word, without reading a long recording frame by frame.
constexpr int kAudioFramesChecked = 16;

DomainError notAllowed(const QString &message)
{
    DomainError e;
    e.httpStatus = 415;
    e.code = QStringLiteral("media_type_not_allowed");
    e.message = message;
    return e;
}

DomainError invalid(const QString &what)
{
    return DomainError::badRequest(QStringLiteral("The %1 is truncated or damaged").arg(what), QStringLiteral("invalid_media"));
}

QByteArray readAt(QIODevice &device, qint64 pos, qint64 length)
{
    if (pos < 0 || length <= 0 || !device.seek(pos))
        return {};
    return device.read(length);
}

quint32 be32(const QByteArray &b, int at)
{
    return (quint32(quint8(b[at])) << 24) | (quint32(quint8(b[at + 1])) << 16) | (quint32(quint8(b[at + 2])) << 8)
        | quint32(quint8(b[at + 3]));
}

quint64 be64(const QByteArray &b, int at)
{
    return (quint64(be32(b, at)) << 32) | be32(b, at + 4);
}

quint32 le32(const QByteArray &b, int at)
{
    return quint32(quint8(b[at])) | (quint32(quint8(b[at + 1])) << 8) | (quint32(quint8(b[at + 2])) << 16)
        | (quint32(quint8(b[at + 3])) << 24);
}

quint16 le16(const QByteArray &b, int at)
{
    return quint16(quint8(b[at]) | (quint8(b[at + 1]) << 8));
}

quint64 le64(const QByteArray &b, int at)
{
    return quint64(le32(b, at)) | (quint64(le32(b, at + 4)) << 32);
}

struct Known {
    const char *mimetype;
    const char *kind;
    const char *extension;
};

DetectedMedia made(const Known &k)
{
    return DetectedMedia{QString::fromLatin1(k.mimetype), QString::fromLatin1(k.kind), QString::fromLatin1(k.extension)};
}

// ---- images ----

Result<DetectedMedia> checkPng(QIODevice &d, qint64 size)
{
    qint64 pos = 8;
    bool first = true;
    while (true) {
        const QByteArray header = readAt(d, pos, 8);
        if (header.size() < 8)
            return invalid(QStringLiteral("PNG image"));
        const qint64 length = be32(header, 0);
        const QByteArray type = header.mid(4, 4);
        if (first && type != "IHDR")
            return invalid(QStringLiteral("PNG image"));
        first = false;
        if (length > 0x7fffffff || pos + 12 + length > size)
            return invalid(QStringLiteral("PNG image"));
        if (type == "IEND")
            return made({"image/png", "image", "png"});
        pos += 12 + length;
    }
}

Result<DetectedMedia> checkJpeg(QIODevice &d, qint64 size)
{
    // Some writers pad after the end-of-image marker; what matters is that the marker is there.
    const qint64 tailLength = qMin<qint64>(size, 4096);
    const QByteArray tail = readAt(d, size - tailLength, tailLength);
    int end = int(tail.size());
    while (end > 0 && (tail[end - 1] == '\0' || tail[end - 1] == '\n' || tail[end - 1] == '\r' || tail[end - 1] == ' '))
        --end;
    if (end < 4 || quint8(tail[end - 2]) != 0xFF || quint8(tail[end - 1]) != 0xD9)
        return invalid(QStringLiteral("JPEG image"));
    return made({"image/jpeg", "image", "jpg"});
}

Result<DetectedMedia> checkWebp(const QByteArray &head, qint64 size)
{
    if (head.size() < 16)
        return invalid(QStringLiteral("WebP image"));
    const qint64 riffEnd = 8 + qint64(le32(head, 4));
    const QByteArray chunk = head.mid(12, 4);
    if (riffEnd > size || riffEnd < 20 || (chunk != "VP8 " && chunk != "VP8L" && chunk != "VP8X"))
        return invalid(QStringLiteral("WebP image"));
    return made({"image/webp", "image", "webp"});
}

// ---- ISO base media (MP4, M4A, 3GPP) ----

Result<DetectedMedia> checkIsoMedia(QIODevice &d, const QByteArray &head, qint64 size)
{
    const qint64 ftypSize = be32(head, 0);
    if (head.size() < 16 || ftypSize < 16)
        return invalid(QStringLiteral("MP4 file"));
    QList<QByteArray> brands{head.mid(8, 4)};
    for (qint64 at = 16; at + 4 <= qMin<qint64>(ftypSize, head.size()); at += 4)
        brands << head.mid(int(at), 4);
    const QByteArray major = brands.first();

    static const QSet<QByteArray> audioBrands{"M4A ", "M4B ", "M4P "};
    static const QSet<QByteArray> videoBrands{"isom", "iso2", "iso3", "iso4", "iso5", "iso6", "iso7", "iso8", "iso9",
                                              "mp41", "mp42", "avc1", "dash", "M4V ", "mmp4", "MSNV", "msnv", "NDAS",
                                              "XAVC", "f4v ", "mp71"};
    Known known{nullptr, nullptr, nullptr};
    if (audioBrands.contains(major))
        known = {"audio/mp4", "audio", "m4a"};
    else if (major.startsWith("3g"))
        known = {"video/3gpp", "video", "3gp"};
    else if (videoBrands.contains(major))
        known = {"video/mp4", "video", "mp4"};
    else if (major == "qt  ")
        return notAllowed(QStringLiteral("QuickTime video (video/quicktime) is not accepted by WhatsApp; send MP4"));
    else {
        // A major brand of its own (HEIF images, AVIF, camera formats): only a file that
        // declares itself compatible with plain MP4 counts as one.
        static const QSet<QByteArray> imageBrands{"heic", "heix", "mif1", "msf1", "avif", "avis", "heim", "heis", "hevc"};
        if (imageBrands.contains(major))
            return notAllowed(QStringLiteral("HEIF/AVIF images are not accepted by WhatsApp; send JPEG or PNG"));
        for (const QByteArray &b : brands) {
            if (b == "isom" || b == "mp41" || b == "mp42") {
                known = {"video/mp4", "video", "mp4"};
                break;
            }
        }
        if (!known.mimetype)
            return notAllowed(QStringLiteral("This ISO media file (brand \"%1\") is not an MP4 or 3GPP file")
                                  .arg(QString::fromLatin1(major).trimmed()));
    }

    // The top-level boxes must tile the file and include the movie header (`moov`): a
    // recording cut short has an `mdat` running past the end, or no `moov`.
    qint64 pos = 0;
    bool movie = false;
    while (pos < size) {
        const QByteArray box = readAt(d, pos, 16);
        if (box.size() < 8)
            return invalid(QStringLiteral("MP4 file"));
        qint64 boxSize = be32(box, 0);
        const QByteArray type = box.mid(4, 4);
        if (type == "moov")
            movie = true;
        if (boxSize == 1) {
            if (box.size() < 16)
                return invalid(QStringLiteral("MP4 file"));
            const quint64 large = be64(box, 8);
            if (large > quint64(size))
                return invalid(QStringLiteral("MP4 file"));
            boxSize = qint64(large);
        } else if (boxSize == 0) {
            boxSize = size - pos; // runs to the end of the file
        }
        if (boxSize < 8 || pos + boxSize > size)
            return invalid(QStringLiteral("MP4 file"));
        pos += boxSize;
    }
    if (!movie)
        return invalid(QStringLiteral("MP4 file"));
    return made(known);
}

// ---- audio streams ----

// ADTS (AAC): 0xFFF sync, layer 00. Returns the frame length, 0 when `h` is no ADTS header.
qint64 adtsFrameLength(const QByteArray &h)
{
    if (h.size() < 7 || quint8(h[0]) != 0xFF || (quint8(h[1]) & 0xF6) != 0xF0)
        return 0;
    const qint64 length = ((quint8(h[3]) & 0x03) << 11) | (quint8(h[4]) << 3) | ((quint8(h[5]) & 0xE0) >> 5);
    return length >= 7 ? length : 0;
}

// MPEG-1/2/2.5 audio layers I-III. Returns the frame length, 0 when `h` is no valid header.
qint64 mpegFrameLength(const QByteArray &h)
{
    if (h.size() < 4 || quint8(h[0]) != 0xFF || (quint8(h[1]) & 0xE0) != 0xE0)
        return 0;
    const int version = (quint8(h[1]) >> 3) & 3; // 0: 2.5, 1: reserved, 2: 2, 3: 1
    const int layer = (quint8(h[1]) >> 1) & 3;   // 1: III, 2: II, 3: I
    const int bitrateIndex = quint8(h[2]) >> 4;
    const int rateIndex = (quint8(h[2]) >> 2) & 3;
    const int padding = (quint8(h[2]) >> 1) & 1;
    if (version == 1 || layer == 0 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3)
        return 0;
    static const std::array<std::array<int, 15>, 5> kbps = {{
        {0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448}, // V1 L1
        {0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384},    // V1 L2
        {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320},     // V1 L3
        {0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256},    // V2 L1
        {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160},         // V2 L2, L3
    }};
    static const std::array<std::array<int, 3>, 3> rates = {{{44100, 48000, 32000}, {22050, 24000, 16000}, {11025, 12000, 8000}}};
    const bool v1 = version == 3;
    const int table = v1 ? (layer == 3 ? 0 : layer == 2 ? 1 : 2) : (layer == 3 ? 3 : 4);
    const qint64 bitrate = qint64(kbps[table][bitrateIndex]) * 1000;
    const qint64 rate = rates[v1 ? 0 : version == 2 ? 1 : 2][rateIndex];
    if (layer == 3)
        return (12 * bitrate / rate + padding) * 4;
    if (layer == 1 && !v1)
        return 72 * bitrate / rate + padding;
    return 144 * bitrate / rate + padding;
}

// Walks the first frames from `pos`: each must start with a header `frameLength` accepts and
// fit in the file. True when at least one whole frame was found and nothing broken.
bool framesWalk(QIODevice &d, qint64 pos, qint64 size, qint64 (*frameLength)(const QByteArray &))
{
    int frames = 0;
    while (pos < size && frames < kAudioFramesChecked) {
        const qint64 length = frameLength(readAt(d, pos, 8));
        if (length == 0 || pos + length > size)
            return false;
        pos += length;
        ++frames;
    }
    return frames > 0;
}

Result<DetectedMedia> checkAudioStream(QIODevice &d, const QByteArray &head, qint64 size)
{
    qint64 start = 0;
    if (head.startsWith("ID3")) {
        if (head.size() < 10)
            return invalid(QStringLiteral("MP3 file"));
        const qint64 tagSize = (qint64(quint8(head[6]) & 0x7f) << 21) | (qint64(quint8(head[7]) & 0x7f) << 14)
            | (qint64(quint8(head[8]) & 0x7f) << 7) | qint64(quint8(head[9]) & 0x7f);
        start = 10 + tagSize + ((quint8(head[5]) & 0x10) ? 10 : 0);
        if (start >= size)
            return invalid(QStringLiteral("MP3 file"));
    }
    const QByteArray first = readAt(d, start, 8);
    if (adtsFrameLength(first) > 0) {
        if (!framesWalk(d, start, size, adtsFrameLength))
            return invalid(QStringLiteral("AAC file"));
        return made({"audio/aac", "audio", "aac"});
    }
    if (mpegFrameLength(first) > 0) {
        if (!framesWalk(d, start, size, mpegFrameLength))
            return invalid(QStringLiteral("MP3 file"));
        return made({"audio/mpeg", "audio", "mp3"});
    }
    return invalid(start > 0 ? QStringLiteral("MP3 file") : QStringLiteral("audio file"));
}

Result<DetectedMedia> checkOgg(QIODevice &d, qint64 size)
{
    qint64 pos = 0;
    bool first = true;
    while (pos < size) {
        const QByteArray header = readAt(d, pos, 27);
        if (header.size() < 27 || !header.startsWith("OggS") || header[4] != '\0')
            return invalid(QStringLiteral("OGG file"));
        const int segments = quint8(header[26]);
        const QByteArray table = readAt(d, pos + 27, segments);
        if (table.size() < segments)
            return invalid(QStringLiteral("OGG file"));
        qint64 body = 0;
        for (char s : table)
            body += quint8(s);
        if (first) {
            if (readAt(d, pos + 27 + segments, 8) != "OpusHead")
                return notAllowed(QStringLiteral("Only OGG files with Opus audio are accepted"));
            first = false;
        }
        pos += 27 + segments + body;
        if (pos > size)
            return invalid(QStringLiteral("OGG file"));
    }
    return made({"audio/ogg", "audio", "ogg"});
}

// ---- documents ----

Result<DetectedMedia> checkPdf(QIODevice &d, qint64 size)
{
    const qint64 tailLength = qMin<qint64>(size, 2048);
    if (!readAt(d, size - tailLength, tailLength).contains("%%EOF"))
        return invalid(QStringLiteral("PDF document"));
    return made({"application/pdf", "document", "pdf"});
}

Result<DetectedMedia> checkZip(QIODevice &d, const QByteArray &head, qint64 size)
{
    // The end of central directory record sits in the last 22 + 65535 (comment) bytes.
    const qint64 tailLength = qMin<qint64>(size, 22 + 65535);
    const QByteArray tail = readAt(d, size - tailLength, tailLength);
    const int eocd = int(tail.lastIndexOf(QByteArrayLiteral("PK\x05\x06")));
    if (eocd < 0 || eocd + 22 > tail.size())
        return invalid(QStringLiteral("ZIP-based document"));
    const qint64 eocdPos = size - tailLength + eocd;
    qint64 cdSize = le32(tail, eocd + 12);
    qint64 cdOffset = le32(tail, eocd + 16);
    if (cdOffset == 0xffffffff || cdSize == 0xffffffff) {
        // ZIP64: the locator just before the record points at the ZIP64 end record.
        if (eocd < 20 || tail.mid(eocd - 20, 4) != QByteArrayLiteral("PK\x06\x07"))
            return invalid(QStringLiteral("ZIP-based document"));
        const QByteArray record = readAt(d, qint64(le64(tail, eocd - 20 + 8)), 56);
        if (record.size() < 56 || !record.startsWith(QByteArrayLiteral("PK\x06\x06")))
            return invalid(QStringLiteral("ZIP-based document"));
        cdSize = qint64(le64(record, 40));
        cdOffset = qint64(le64(record, 48));
    }
    if (cdOffset < 0 || cdSize < 0 || cdOffset + cdSize > eocdPos || cdSize > 64LL * 1024 * 1024)
        return invalid(QStringLiteral("ZIP-based document"));
    const QByteArray directory = readAt(d, cdOffset, cdSize);
    if (directory.size() < cdSize)
        return invalid(QStringLiteral("ZIP-based document"));
    QList<QByteArray> names;
    for (int at = 0; at + 46 <= directory.size();) {
        if (!directory.mid(at, 4).startsWith(QByteArrayLiteral("PK\x01\x02")))
            return invalid(QStringLiteral("ZIP-based document"));
        const int nameLength = le16(directory, at + 28);
        const int extra = le16(directory, at + 30);
        const int comment = le16(directory, at + 32);
        names << directory.mid(at + 46, nameLength);
        at += 46 + nameLength + extra + comment;
    }
    if (names.isEmpty())
        return invalid(QStringLiteral("ZIP-based document"));

    // OpenDocument: the first entry is `mimetype`, stored uncompressed, naming the type.
    if (head.size() >= 30 && head.mid(30, le16(head, 26)) == "mimetype") {
        const int contentAt = 30 + le16(head, 26) + le16(head, 28);
        const QByteArray declared = head.mid(contentAt, qMin<int>(int(le32(head, 18)), 128));
        if (declared == "application/vnd.oasis.opendocument.text")
            return made({"application/vnd.oasis.opendocument.text", "document", "odt"});
        if (declared == "application/vnd.oasis.opendocument.spreadsheet")
            return made({"application/vnd.oasis.opendocument.spreadsheet", "document", "ods"});
        if (declared == "application/vnd.oasis.opendocument.presentation")
            return made({"application/vnd.oasis.opendocument.presentation", "document", "odp"});
        return notAllowed(QStringLiteral("This OpenDocument type is not accepted (text, spreadsheet and presentation are)"));
    }
    bool contentTypes = false;
    bool word = false, excel = false, powerpoint = false;
    for (const QByteArray &name : names) {
        contentTypes = contentTypes || name == "[Content_Types].xml";
        word = word || name.startsWith("word/");
        excel = excel || name.startsWith("xl/");
        powerpoint = powerpoint || name.startsWith("ppt/");
    }
    if (contentTypes && word)
        return made({"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "document", "docx"});
    if (contentTypes && excel)
        return made({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "document", "xlsx"});
    if (contentTypes && powerpoint)
        return made({"application/vnd.openxmlformats-officedocument.presentationml.presentation", "document", "pptx"});
    return notAllowed(QStringLiteral("ZIP archives are not accepted (Office and OpenDocument files are)"));
}

// Whether the UTF-16LE directory entry name `name` (followed by its terminating NUL) occurs.
bool containsEntryName(QIODevice &d, qint64 size, const QString &name)
{
    QByteArray needle;
    for (QChar c : name)
        needle.append(char(c.unicode() & 0xff)).append('\0');
    needle.append('\0').append('\0');
    for (qint64 pos = 0; pos < size; pos += kScanPiece) {
        const QByteArray piece = readAt(d, pos, kScanPiece + needle.size());
        if (piece.contains(needle))
            return true;
    }
    return false;
}

Result<DetectedMedia> checkCompoundFile(QIODevice &d, const QByteArray &head, qint64 size)
{
    if (head.size() < 512)
        return invalid(QStringLiteral("Office document"));
    const int shift = le16(head, 30);
    if (shift != 9 && shift != 12)
        return invalid(QStringLiteral("Office document"));
    const qint64 sector = qint64(1) << shift;
    const qint64 directory = (qint64(le32(head, 48)) + 1) * sector;
    if (directory + 128 > size)
        return invalid(QStringLiteral("Office document"));
    // Which application wrote it shows in the names of its streams. Other compound files
    // (MSI installers, Outlook messages, thumbnails databases) are refused.
    if (containsEntryName(d, size, QStringLiteral("WordDocument")))
        return made({"application/msword", "document", "doc"});
    if (containsEntryName(d, size, QStringLiteral("Workbook")) || containsEntryName(d, size, QStringLiteral("Book")))
        return made({"application/vnd.ms-excel", "document", "xls"});
    if (containsEntryName(d, size, QStringLiteral("PowerPoint Document")))
        return made({"application/vnd.ms-powerpoint", "document", "ppt"});
    return notAllowed(QStringLiteral("This compound file is not a Word, Excel or PowerPoint document"));
}

// ---- text ----

bool looksLikeMarkup(const QByteArray &head)
{
    QByteArray start = head.left(1024).toLower();
    if (start.startsWith("\xef\xbb\xbf"))
        start.remove(0, 3);
    start = start.trimmed();
    for (const char *tag : {"<!doctype", "<html", "<?xml", "<svg", "<script", "<head", "<body", "<iframe", "<?php", "<!--"}) {
        if (start.startsWith(tag))
            return true;
    }
    for (const char *tag : {"<script", "<svg", "<html", "<iframe", "<?php", "javascript:"}) {
        if (start.contains(tag))
            return true;
    }
    return false;
}

// Valid UTF-8 with no NUL anywhere: text. Anything else: not.
bool isUtf8Text(QIODevice &d, qint64 size)
{
    QStringDecoder decoder(QStringDecoder::Utf8);
    for (qint64 pos = 0; pos < size; pos += kScanPiece) {
        const QByteArray piece = readAt(d, pos, kScanPiece);
        if (piece.isEmpty() || piece.contains('\0'))
            return false;
        const QString decoded = decoder.decode(piece);
        Q_UNUSED(decoded);
        if (decoder.hasError())
            return false;
    }
    // A sequence cut at the very end leaves the decoder waiting for more: not text.
    const QByteArray tail = readAt(d, qMax<qint64>(0, size - 4), qMin<qint64>(size, 4));
    int continuation = 0;
    for (int i = int(tail.size()) - 1; i >= 0 && (quint8(tail[i]) & 0xC0) == 0x80; --i)
        ++continuation;
    if (continuation == tail.size())
        return continuation == 0;
    const quint8 lead = quint8(tail[tail.size() - 1 - continuation]);
    const int expected = lead < 0x80 ? 0 : (lead & 0xE0) == 0xC0 ? 1 : (lead & 0xF0) == 0xE0 ? 2 : 3;
    return continuation == expected;
}

bool refusedByMimeDatabase(const QMimeType &mime)
{
    for (const char *refused : {"text/html", "application/xml", "image/svg+xml", "application/x-shellscript",
                                "application/x-php", "application/javascript", "application/x-executable",
                                "application/x-msdownload", "application/x-ms-dos-executable", "text/x-python",
                                "application/x-perl"}) {
        if (mime.inherits(QString::fromLatin1(refused)))
            return true;
    }
    return false;
}

Result<DetectedMedia> detectContent(QIODevice &d, const QByteArray &head, qint64 size)
{
    auto starts = [&head](const char *magic, int length, int at = 0) {
        return head.size() >= at + length && memcmp(head.constData() + at, magic, size_t(length)) == 0;
    };
    // Executables and scripts first, whatever else they might also look like.
    if (starts("MZ", 2) || starts("\x7f" "ELF", 4) || starts("\xfe\xed\xfa\xce", 4) || starts("\xfe\xed\xfa\xcf", 4)
        || starts("\xce\xfa\xed\xfe", 4) || starts("\xcf\xfa\xed\xfe", 4) || starts("\xca\xfe\xba\xbe", 4)
        || starts("\0asm", 4))
        return notAllowed(QStringLiteral("Executable files are not allowed"));
    if (starts("#!AMR-WB\n", 9) || starts("#!AMR\n", 6))
        return size > (starts("#!AMR\n", 6) ? 6 : 9) ? Result<DetectedMedia>(made({"audio/amr", "audio", "amr"}))
                                                     : Result<DetectedMedia>(invalid(QStringLiteral("AMR file")));
    if (starts("#!", 2))
        return notAllowed(QStringLiteral("Scripts are not allowed"));

    if (starts("\xff\xd8\xff", 3))
        return checkJpeg(d, size);
    if (starts("\x89PNG\r\n\x1a\n", 8))
        return checkPng(d, size);
    if (starts("RIFF", 4) && starts("WEBP", 4, 8))
        return checkWebp(head, size);
    if (starts("ftyp", 4, 4))
        return checkIsoMedia(d, head, size);
    if (starts("OggS", 4))
        return checkOgg(d, size);
    // (FF FE is also the byte order mark of UTF-16 text, which is not accepted either.)
    if (starts("ID3", 3) || adtsFrameLength(head.left(8)) > 0 || (mpegFrameLength(head.left(8)) > 0 && !starts("\xff\xfe", 2)))
        return checkAudioStream(d, head, size);
    if (head.left(1024).contains("%PDF-"))
        return checkPdf(d, size);
    if (starts("PK\x03\x04", 4))
        return checkZip(d, head, size);
    if (starts("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8))
        return checkCompoundFile(d, head, size);

    static const QMimeDatabase mimeDatabase;
    const QMimeType guessed = mimeDatabase.mimeTypeForData(head);
    if (looksLikeMarkup(head) || refusedByMimeDatabase(guessed))
        return notAllowed(QStringLiteral("HTML, XML, SVG and script files are not allowed"));
    if (isUtf8Text(d, size))
        return made({"text/plain", "document", "txt"});
    const QString name = guessed.isValid() && !guessed.isDefault() ? guessed.name() : QStringLiteral("unknown binary data");
    return notAllowed(QStringLiteral("This type of file (%1) is not accepted").arg(name));
}

bool isCsvHint(const MediaHints &hints)
{
    static const QSet<QString> csv{QStringLiteral("text/csv"), QStringLiteral("application/csv"), QStringLiteral("text/x-csv"),
                                   QStringLiteral("text/comma-separated-values")};
    if (csv.contains(normalizedMimetype(hints.declaredMimetype)))
        return true;
    return hints.filename.endsWith(QLatin1String(".csv"), Qt::CaseInsensitive);
}

// The declared types that agree with a detected one (besides itself).
QSet<QString> agreeingTypes(const QString &detected)
{
    static const QHash<QString, QSet<QString>> aliases = {
        {QStringLiteral("image/jpeg"), {QStringLiteral("image/jpg"), QStringLiteral("image/pjpeg")}},
        {QStringLiteral("image/png"), {QStringLiteral("image/x-png")}},
        {QStringLiteral("video/mp4"), {QStringLiteral("audio/mp4"), QStringLiteral("application/mp4"), QStringLiteral("video/x-m4v")}},
        {QStringLiteral("audio/mp4"),
         {QStringLiteral("video/mp4"), QStringLiteral("application/mp4"), QStringLiteral("audio/x-m4a"), QStringLiteral("audio/m4a")}},
        {QStringLiteral("video/3gpp"), {QStringLiteral("audio/3gpp"), QStringLiteral("video/3gpp2"), QStringLiteral("audio/3gpp2")}},
        {QStringLiteral("audio/aac"), {QStringLiteral("audio/x-aac"), QStringLiteral("audio/aacp"), QStringLiteral("audio/x-hx-aac-adts")}},
        {QStringLiteral("audio/mpeg"),
         {QStringLiteral("audio/mp3"), QStringLiteral("audio/mpeg3"), QStringLiteral("audio/x-mpeg"), QStringLiteral("audio/x-mp3"),
          QStringLiteral("audio/mpa")}},
        {QStringLiteral("audio/amr"), {QStringLiteral("audio/amr-wb"), QStringLiteral("audio/3gpp")}},
        {QStringLiteral("audio/ogg"), {QStringLiteral("audio/opus"), QStringLiteral("application/ogg"), QStringLiteral("audio/x-opus+ogg")}},
        {QStringLiteral("application/pdf"), {QStringLiteral("application/x-pdf")}},
        {QStringLiteral("text/plain"),
         {QStringLiteral("text/csv"), QStringLiteral("application/csv"), QStringLiteral("text/x-csv"),
          QStringLiteral("text/comma-separated-values"), QStringLiteral("application/vnd.ms-excel")}},
        {QStringLiteral("text/csv"),
         {QStringLiteral("text/plain"), QStringLiteral("application/csv"), QStringLiteral("text/x-csv"),
          QStringLiteral("text/comma-separated-values"), QStringLiteral("application/vnd.ms-excel")}},
    };
    QSet<QString> out = aliases.value(detected);
    if (detected.startsWith(QLatin1String("application/vnd.openxmlformats")) || detected.startsWith(QLatin1String("application/vnd.oasis")))
        out << QStringLiteral("application/zip") << QStringLiteral("application/x-zip-compressed");
    if (detected == QLatin1String("application/msword") || detected == QLatin1String("application/vnd.ms-excel")
        || detected == QLatin1String("application/vnd.ms-powerpoint"))
        out << QStringLiteral("application/x-ole-storage") << QStringLiteral("application/x-cfb");
    return out;
}

bool saysNothing(const QString &declared)
{
    return declared.isEmpty() || declared == QLatin1String("application/octet-stream")
        || declared == QLatin1String("binary/octet-stream") || declared == QLatin1String("application/binary")
        || declared == QLatin1String("application/unknown");
}

} // namespace

QString normalizedMimetype(const QString &declared)
{
    return declared.section(QLatin1Char(';'), 0, 0).trimmed().toLower();
}

Result<DetectedMedia> detectMediaType(QIODevice &content, const MediaHints &hints)
{
    const qint64 size = content.size();
    if (size <= 0)
        return DomainError::badRequest(QStringLiteral("The file is empty"), QStringLiteral("empty_media"));
    const QByteArray head = readAt(content, 0, kHeadBytes);
    if (head.isEmpty())
        return DomainError::badRequest(QStringLiteral("The file could not be read"), QStringLiteral("invalid_media"));
    Result<DetectedMedia> detected = detectContent(content, head, size);
    if (!detected)
        return detected;
    DetectedMedia media = detected.value();

    if (media.mimetype == QLatin1String("text/plain") && isCsvHint(hints))
        media = made({"text/csv", "document", "csv"});
    if (media.mimetype == QLatin1String("image/webp") && hints.sticker)
        media.kind = QStringLiteral("sticker");
    if (media.mimetype == QLatin1String("audio/ogg") && hints.voiceNote)
        media.kind = QStringLiteral("voice");

    const QString declared = normalizedMimetype(hints.declaredMimetype);
    if (!saysNothing(declared) && declared != media.mimetype && !agreeingTypes(media.mimetype).contains(declared)) {
        DomainError e;
        e.httpStatus = 415;
        e.code = QStringLiteral("media_type_mismatch");
        e.message = QStringLiteral("The file was declared as %1 but its content is %2").arg(declared.left(100), media.mimetype);
        e.details.insert(QStringLiteral("declared"), declared.left(100));
        e.details.insert(QStringLiteral("detected"), media.mimetype);
        return e;
    }
    return media;
}

} // namespace wadesk
