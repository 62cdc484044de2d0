// AES-256-GCM for secrets at rest: what seal() produces and everything open() must refuse.

#include "core/secrets/AesGcm.h"

#include <QSet>
#include <QTest>
#include <stdexcept>

using namespace wadesk;

namespace {

QByteArray keyOf(char fill)
{
    return QByteArray(AesGcm::kKeyBytes, fill);
}

// The raw nonce|ciphertext|tag behind a "v1:" value.
QByteArray rawOf(const QByteArray &sealed)
{
    return QByteArray::fromBase64(sealed.mid(3));
}

QByteArray sealedFromRaw(const QByteArray &raw)
{
    return QByteArrayLiteral("v1:") + raw.toBase64();
}

QByteArray flipBit(QByteArray raw, int index, int bit = 0)
{
    raw[index] = char(raw.at(index) ^ (1 << bit));
    return raw;
}

} // namespace

class TestAesGcm : public QObject {
    Q_OBJECT
private slots:
    void roundTrip_data()
    {
        QTest::addColumn<QByteArray>("plaintext");
        QTest::addColumn<QByteArray>("associatedData");
        QTest::newRow("empty") << QByteArray() << QByteArray();
        QTest::newRow("empty with AD") << QByteArray() << QByteArrayLiteral("webhooks.secret:wh_1");
        QTest::newRow("one byte") << QByteArray(1, 'x') << QByteArray();
        QTest::newRow("one NUL byte") << QByteArray(1, '\0') << QByteArrayLiteral("ad");
        QTest::newRow("text") << QByteArrayLiteral("whsec_0123456789abcdef") << QByteArrayLiteral("webhooks.secret:wh_2");
        QByteArray big(1024 * 1024, Qt::Uninitialized);
        for (int i = 0; i < big.size(); ++i)
            big[i] = char((i * 131 + 7) & 0xff);
        QTest::newRow("1 MB") << big << QByteArrayLiteral("ad");
    }

    void roundTrip()
    {
        QFETCH(QByteArray, plaintext);
        QFETCH(QByteArray, associatedData);
        const AesGcm gcm(keyOf('k'));
        const QByteArray sealed = gcm.seal(plaintext, associatedData);
        QVERIFY(sealed.startsWith("v1:"));
        // nonce (12) + ciphertext (same length as the plaintext) + tag (16)
        QCOMPARE(rawOf(sealed).size(), 12 + plaintext.size() + 16);
        if (plaintext.size() >= 8) // shorter ones could match by chance
            QVERIFY(rawOf(sealed).mid(12, plaintext.size()) != plaintext); // really encrypted
        const std::optional<QByteArray> opened = gcm.open(sealed, associatedData);
        QVERIFY(opened.has_value());
        QCOMPARE(opened->size(), plaintext.size());
        QVERIFY(*opened == plaintext);
        // Another instance with the same key opens it too (nothing kept in the object).
        const AesGcm again(keyOf('k'));
        QVERIFY(again.open(sealed, associatedData) == plaintext);
    }

    void sameInputGivesDistinctCiphertexts()
    {
        const AesGcm gcm(keyOf('k'));
        QSet<QByteArray> sealedValues;
        QSet<QByteArray> nonces;
        for (int i = 0; i < 200; ++i) {
            const QByteArray sealed = gcm.seal(QByteArrayLiteral("same secret"), QByteArrayLiteral("ad"));
            sealedValues.insert(sealed);
            nonces.insert(rawOf(sealed).left(12));
            QVERIFY(gcm.open(sealed, QByteArrayLiteral("ad")) == QByteArrayLiteral("same secret"));
        }
        QCOMPARE(sealedValues.size(), 200);
        QCOMPARE(nonces.size(), 200); // a repeated nonce under one key would break GCM
        // An empty plaintext is sealed freshly too.
        QVERIFY(gcm.seal({}) != gcm.seal({}));
    }

    void tamperingIsDetected_data()
    {
        QTest::addColumn<int>("region"); // 0 nonce, 1 ciphertext, 2 tag
        QTest::addColumn<int>("offset");
        QTest::addColumn<int>("bit");
        QTest::newRow("nonce first byte") << 0 << 0 << 0;
        QTest::newRow("nonce last byte") << 0 << 11 << 7;
        QTest::newRow("ciphertext first byte") << 1 << 0 << 0;
        QTest::newRow("ciphertext middle byte") << 1 << 20 << 3;
        QTest::newRow("ciphertext last byte") << 1 << 39 << 7;
        QTest::newRow("tag first byte") << 2 << 0 << 0;
        QTest::newRow("tag last byte") << 2 << 15 << 7;
    }

    void tamperingIsDetected()
    {
        QFETCH(int, region);
        QFETCH(int, offset);
        QFETCH(int, bit);
        const AesGcm gcm(keyOf('k'));
        const QByteArray plaintext(40, 'p');
        const QByteArray sealed = gcm.seal(plaintext, QByteArrayLiteral("ad"));
        const QByteArray raw = rawOf(sealed);
        QCOMPARE(raw.size(), 12 + 40 + 16);
        const int start = region == 0 ? 0 : region == 1 ? 12 : 12 + 40;
        const QByteArray tampered = sealedFromRaw(flipBit(raw, start + offset, bit));
        QVERIFY(tampered != sealed);
        QVERIFY(!gcm.open(tampered, QByteArrayLiteral("ad")).has_value());
        // The untouched value still opens: the failure is due to the flipped bit alone.
        QVERIFY(gcm.open(sealed, QByteArrayLiteral("ad")) == plaintext);
    }

    void malformedValuesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("value");
        const AesGcm gcm(keyOf('k'));
        const QByteArray sealed = gcm.seal(QByteArrayLiteral("secret value"));
        const QByteArray raw = rawOf(sealed);
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("prefix only") << QByteArrayLiteral("v1:");
        QTest::newRow("no prefix") << sealed.mid(3);
        QTest::newRow("wrong version") << QByteArray(QByteArrayLiteral("v2:") + sealed.mid(3));
        QTest::newRow("upper-case prefix") << QByteArray(QByteArrayLiteral("V1:") + sealed.mid(3));
        QTest::newRow("plaintext") << QByteArrayLiteral("secret value");
        QTest::newRow("base64 garbage") << QByteArrayLiteral("v1:!!!not*base64###");
        QTest::newRow("base64 with a stray character") << QByteArray(sealed.left(10) + '*' + sealed.mid(10));
        QTest::newRow("truncated to nonce+tag-1") << sealedFromRaw(raw.left(12 + 16 - 1));
        QTest::newRow("truncated by one byte") << sealedFromRaw(raw.left(raw.size() - 1));
        QTest::newRow("tag removed") << sealedFromRaw(raw.left(raw.size() - 16));
        QTest::newRow("extra byte appended") << sealedFromRaw(raw + 'x');
        QTest::newRow("truncated text") << sealed.left(sealed.size() - 4);
    }

    void malformedValuesAreRefused()
    {
        QFETCH(QByteArray, value);
        const AesGcm gcm(keyOf('k'));
        QVERIFY(!gcm.open(value).has_value());
    }

    void wrongKeyIsRefused()
    {
        const AesGcm gcm(keyOf('k'));
        const QByteArray sealed = gcm.seal(QByteArrayLiteral("secret"), QByteArrayLiteral("ad"));
        QVERIFY(!AesGcm(keyOf('K')).open(sealed, QByteArrayLiteral("ad")).has_value());
        QByteArray oneBitOff = keyOf('k');
        oneBitOff[31] = char(oneBitOff.at(31) ^ 1);
        QVERIFY(!AesGcm(oneBitOff).open(sealed, QByteArrayLiteral("ad")).has_value());
        QVERIFY(!AesGcm(keyOf('K')).open(gcm.seal({})).has_value());
    }

    void wrongAssociatedDataIsRefused()
    {
        const AesGcm gcm(keyOf('k'));
        const QByteArray sealed = gcm.seal(QByteArrayLiteral("secret"), QByteArrayLiteral("webhooks.secret:wh_1"));
        QVERIFY(gcm.open(sealed, QByteArrayLiteral("webhooks.secret:wh_1")) == QByteArrayLiteral("secret"));
        // A value moved to another row, or opened without its context, does not open.
        QVERIFY(!gcm.open(sealed, QByteArrayLiteral("webhooks.secret:wh_2")).has_value());
        QVERIFY(!gcm.open(sealed).has_value());
        QVERIFY(!gcm.open(sealed, QByteArray("webhooks.secret:wh_1\0", 21)).has_value());
        // And the other way round: sealed without associated data, opened with some.
        const QByteArray plain = gcm.seal(QByteArrayLiteral("secret"));
        QVERIFY(!gcm.open(plain, QByteArrayLiteral("ad")).has_value());
        QVERIFY(gcm.open(plain) == QByteArrayLiteral("secret"));
    }

    void keyMustBe32Bytes()
    {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, AesGcm{QByteArray(31, 'k')});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, AesGcm{QByteArray(33, 'k')});
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, AesGcm{QByteArray()});
    }

    void randomBytes()
    {
        QCOMPARE(AesGcm::randomBytes(32).size(), 32);
        QCOMPARE(AesGcm::randomBytes(0).size(), 0);
        QVERIFY(AesGcm::randomBytes(32) != AesGcm::randomBytes(32));
    }
};

QTEST_GUILESS_MAIN(TestAesGcm)
#include "tst_aesgcm.moc"
