#include "core/journal/OutageJournal.h"

#include "core/common/RuntimeMetrics.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

namespace wadesk {

namespace {

constexpr char kMagic[8] = {'W', 'D', 'J', 'R', 'N', 'L', '0', '1'};
constexpr qint64 kHeaderSize = 16;
constexpr qint64 kFrameSize = 8; // length + CRC
// A record is a few hundred bytes; anything claiming more than this is a torn length field.
constexpr quint32 kMaxRecordBytes = 16u * 1024 * 1024;
constexpr int kCursorSyncEvery = 64;

std::array<quint32, 256> makeCrcTable()
{
    std::array<quint32, 256> table{};
    for (quint32 i = 0; i < 256; ++i) {
        quint32 c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    return table;
}

// CRC-32 (IEEE 802.3, as zlib computes it).
quint32 crc32(const char *data, qint64 size)
{
    static const std::array<quint32, 256> table = makeCrcTable();
    quint32 c = 0xFFFFFFFFu;
    for (qint64 i = 0; i < size; ++i)
        c = table[(c ^ quint8(data[i])) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

void putLe32(char *out, quint32 v)
{
    for (int i = 0; i < 4; ++i)
        out[i] = char((v >> (8 * i)) & 0xFF);
}

quint32 getLe32(const char *in)
{
    quint32 v = 0;
    for (int i = 0; i < 4; ++i)
        v |= quint32(quint8(in[i])) << (8 * i);
    return v;
}

void putLe64(char *out, quint64 v)
{
    for (int i = 0; i < 8; ++i)
        out[i] = char((v >> (8 * i)) & 0xFF);
}

quint64 getLe64(const char *in)
{
    quint64 v = 0;
    for (int i = 0; i < 8; ++i)
        v |= quint64(quint8(in[i])) << (8 * i);
    return v;
}

bool writeAll(int fd, const char *data, qint64 size, qint64 offset)
{
    while (size > 0) {
        const ssize_t n = ::pwrite(fd, data, size_t(size), off_t(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        size -= n;
        offset += n;
    }
    return true;
}

QString lastError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

} // namespace

QByteArray JournalRecord::encode() const
{
    const QJsonObject o{{QStringLiteral("k"), kind},
                        {QStringLiteral("o"), organizationId},
                        {QStringLiteral("c"), clientId},
                        {QStringLiteral("t"), double(at)},
                        {QStringLiteral("d"), data}};
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

bool JournalRecord::decode(const QByteArray &bytes, JournalRecord *out)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return false;
    const QJsonObject o = doc.object();
    out->kind = o.value(QStringLiteral("k")).toString();
    out->organizationId = o.value(QStringLiteral("o")).toString();
    out->clientId = o.value(QStringLiteral("c")).toString();
    out->at = qint64(o.value(QStringLiteral("t")).toDouble());
    out->data = o.value(QStringLiteral("d")).toObject();
    return !out->kind.isEmpty();
}

OutageJournal::OutageJournal(QString directory, JournalLimits limits)
    : m_directory(std::move(directory))
    , m_limits(limits)
{
}

OutageJournal::~OutageJournal()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

QString OutageJournal::filePath() const
{
    return QDir(m_directory).filePath(QStringLiteral("outage.journal"));
}

Status OutageJournal::open()
{
    if (m_fd >= 0)
        return {};
    if (!QDir().mkpath(m_directory))
        return DomainError::internal(QStringLiteral("cannot create the journal directory %1").arg(m_directory));
    const QByteArray path = QFile::encodeName(filePath());
    m_fd = ::open(path.constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (m_fd < 0)
        return DomainError::internal(QStringLiteral("cannot open the journal %1: %2").arg(filePath(), lastError()));
    struct stat st {};
    if (::fstat(m_fd, &st) != 0)
        return DomainError::internal(QStringLiteral("cannot read the journal %1: %2").arg(filePath(), lastError()));
    QByteArray content(qsizetype(st.st_size), Qt::Uninitialized);
    qint64 got = 0;
    while (got < content.size()) {
        const ssize_t n = ::pread(m_fd, content.data() + got, size_t(content.size() - got), off_t(got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += n;
    }
    content.truncate(qsizetype(got));
    if (content.size() < kHeaderSize || std::memcmp(content.constData(), kMagic, sizeof kMagic) != 0) {
        if (!content.isEmpty())
            spdlog::error("journal {}: not a WaDesk journal (or its header was torn); started afresh", filePath().toStdString());
        if (!reset())
            return DomainError::internal(QStringLiteral("cannot write the journal %1: %2").arg(filePath(), lastError()));
        return {};
    }
    qint64 offset = qint64(getLe64(content.constData() + 8));
    if (offset < kHeaderSize || offset > content.size())
        offset = kHeaderSize; // a cursor past the end: nothing can be trusted to be applied, replay all
    m_pending.clear();
    while (offset + kFrameSize <= content.size()) {
        const quint32 length = getLe32(content.constData() + offset);
        const quint32 crc = getLe32(content.constData() + offset + 4);
        if (length > kMaxRecordBytes || offset + kFrameSize + length > content.size())
            break;
        const char *payload = content.constData() + offset + kFrameSize;
        if (crc32(payload, length) != crc)
            break;
        offset += kFrameSize + length;
        m_pending.push_back(Pending{QByteArray(payload, qsizetype(length)), offset});
    }
    m_end = offset;
    if (offset < content.size()) {
        // A record cut short by a crash mid-append (or damaged): it, and anything after it, is
        // dropped, so the next append starts on a clean boundary.
        m_dropped.fetch_add(1);
        spdlog::warn("journal {}: dropped {} bytes of a torn or damaged record at its end", filePath().toStdString(),
                     content.size() - offset);
        if (::ftruncate(m_fd, off_t(offset)) != 0 || !sync())
            return DomainError::internal(QStringLiteral("cannot repair the journal %1: %2").arg(filePath(), lastError()));
    }
    publishDepth(int(m_pending.size()));
    if (!m_pending.empty())
        spdlog::warn("journal {}: {} records a previous run could not store wait to be applied", filePath().toStdString(),
                     m_pending.size());
    return {};
}

bool OutageJournal::sync()
{
    return ::fdatasync(m_fd) == 0;
}

bool OutageJournal::writeCursor(qint64 offset, bool durable)
{
    char cursor[8];
    putLe64(cursor, quint64(offset));
    return writeAll(m_fd, cursor, 8, 8) && (!durable || sync());
}

bool OutageJournal::reset()
{
    char header[kHeaderSize];
    std::memcpy(header, kMagic, sizeof kMagic);
    putLe64(header + 8, quint64(kHeaderSize));
    if (::ftruncate(m_fd, 0) != 0 || !writeAll(m_fd, header, kHeaderSize, 0) || !sync())
        return false;
    m_end = kHeaderSize;
    m_pending.clear();
    publishDepth(0);
    return true;
}

bool OutageJournal::append(const JournalRecord &record)
{
    if (m_fd < 0) {
        m_refused.fetch_add(1);
        spdlog::error("journal {}: not open; a {} report of client {} is lost", filePath().toStdString(), record.kind.toStdString(),
                      record.clientId.toStdString());
        return false;
    }
    const QByteArray payload = record.encode();
    const qint64 size = kFrameSize + payload.size();
    if (int(m_pending.size()) >= m_limits.maxRecords || m_end + size > m_limits.maxBytes + kHeaderSize) {
        m_refused.fetch_add(1);
        spdlog::error("journal {} is full ({} records, {} bytes): a {} report of client {} is refused", filePath().toStdString(),
                      m_pending.size(), m_end, record.kind.toStdString(), record.clientId.toStdString());
        return false;
    }
    QByteArray frame(qsizetype(size), Qt::Uninitialized);
    putLe32(frame.data(), quint32(payload.size()));
    putLe32(frame.data() + 4, crc32(payload.constData(), payload.size()));
    std::memcpy(frame.data() + kFrameSize, payload.constData(), size_t(payload.size()));
    if (!writeAll(m_fd, frame.constData(), size, m_end) || !sync()) {
        m_refused.fetch_add(1);
        spdlog::error("journal {}: cannot write a {} report of client {}: {}", filePath().toStdString(), record.kind.toStdString(),
                      record.clientId.toStdString(), lastError().toStdString());
        // Whatever was half written is cut off again (and would be dropped as torn at the next open).
        if (::ftruncate(m_fd, off_t(m_end)) != 0)
            spdlog::error("journal {}: cannot cut a failed append: {}", filePath().toStdString(), lastError().toStdString());
        return false;
    }
    m_end += size;
    m_pending.push_back(Pending{payload, m_end});
    publishDepth(int(m_pending.size()));
    return true;
}

int OutageJournal::replay(const Applier &apply)
{
    if (m_replaying || m_fd < 0)
        return 0;
    m_replaying = true;
    int done = 0;
    // Only what was there when the replay began: the applier may append (a report that came
    // while this one was applied goes behind it).
    size_t budget = m_pending.size();
    int sinceSync = 0;
    while (budget > 0 && !m_pending.empty()) {
        --budget;
        JournalRecord record;
        const Pending &head = m_pending.front();
        Step step = Step::Drop;
        if (!JournalRecord::decode(head.payload, &record))
            spdlog::error("journal {}: a record cannot be read; dropped", filePath().toStdString());
        else
            step = apply(record);
        if (step == Step::Retry) {
            if (sinceSync > 0 && !sync())
                spdlog::error("journal {}: cannot sync how far it was applied: {}", filePath().toStdString(), lastError().toStdString());
            break;
        }
        if (step == Step::Drop && !record.kind.isEmpty())
            spdlog::warn("journal {}: a {} report of client {} cannot be applied; dropped", filePath().toStdString(),
                         record.kind.toStdString(), record.clientId.toStdString());
        const qint64 next = head.end;
        if (m_pending.size() == 1) {
            if (!reset()) {
                spdlog::error("journal {}: cannot empty it: {}", filePath().toStdString(), lastError().toStdString());
                break;
            }
        } else {
            // Written at once (a kill -9 keeps it: the kernel has it), synced every few records
            // and when the replay stops: a power cut may apply those few once more, which
            // changes nothing (appliers are idempotent), and a replay is not held to one disk
            // flush per record.
            const bool durable = ++sinceSync >= kCursorSyncEvery || budget == 0;
            if (durable)
                sinceSync = 0;
            if (!writeCursor(next, durable)) {
                spdlog::error("journal {}: cannot record how far it was applied: {}", filePath().toStdString(),
                              lastError().toStdString());
                break;
            }
            m_pending.pop_front();
            publishDepth(int(m_pending.size()));
        }
        ++done;
    }
    m_replaying = false;
    return done;
}

void OutageJournal::publishDepth(int depth)
{
    m_depth.store(depth);
    RuntimeMetrics::instance().setJournalDepth(depth); // one journal per process: /metrics shows it
}

} // namespace wadesk
