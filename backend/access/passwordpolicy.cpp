#include "passwordpolicy.h"

#include "store/workspace.h"

#include <QSet>
#include <QStringList>

#include <algorithm>

namespace simfleet::access {

namespace {

// The words and passwords at the top of every published list of leaked passwords (and the
// names of this product and its roles, which an attacker tries first here). Checked after
// lower-casing, undoing look-alike digits and cutting digits and symbols from both ends, so
// "P@ssw0rd2026!" is refused as "password".
const QSet<QString> &commonPasswords()
{
    static const QSet<QString> words = [] {
        const char *const list[] = {
            "password", "passwort", "motdepasse", "contrasena", "senha", "wachtwoord", "haslo", "salasana",
            "qwerty", "qwertz", "azerty", "qwertyuiop", "asdfghjkl", "zxcvbnm", "iloveyou", "welcome", "welkom",
            "willkommen", "bienvenue", "admin", "administrator", "root", "toor", "letmein", "monkey", "dragon",
            "football", "baseball", "soccer", "hockey", "basketball", "sunshine", "princess", "trustno", "whatever",
            "superman", "batman", "spiderman", "starwars", "pokemon", "master", "shadow", "michael", "jennifer",
            "jordan", "hunter", "ranger", "buster", "thomas", "robert", "daniel", "charlie", "andrew", "jessica",
            "ashley", "michelle", "computer", "internet", "changeme", "changeit", "secret", "default", "login",
            "logon", "access", "abc", "abcdef", "test", "testing", "tester", "hello", "hellothere", "freedom",
            "summer", "winter", "spring", "autumn", "january", "february", "march", "april", "june", "july",
            "august", "september", "october", "november", "december", "monday", "friday", "sunday", "love",
            "lovely", "loveme", "angel", "baby", "babygirl", "cookie", "cheese", "chocolate", "banana", "orange",
            "purple", "flower", "blink", "killer", "pepper", "ginger", "mustang", "ferrari", "porsche", "corvette",
            "harley", "yankees", "liverpool", "arsenal", "chelsea", "barcelona", "juventus", "matrix", "mercedes",
            "microsoft", "google", "facebook", "linkedin", "apple", "samsung", "nokia", "iphone", "android",
            "passpass", "pass", "passwd", "pwd", "user", "guest", "demo", "sample", "example", "simfleet", "fleet",
            "operator", "operations", "viewer", "owner", "manager", "meter", "tracker", "sim", "esim", "euicc",
            "mobile", "network", "company", "office", "secure", "security", "private", "qazwsx", "qazwsxedc",
            "zaqxsw", "zaq1xsw2", "1qaz2wsx", "1q2w3e4r", "1q2w3e", "q1w2e3r4", "a1b2c3", "abc123", "aa123456",
            "myspace", "letmeinnow", "opensesame", "nothing", "blahblah", "whatsup", "superstar", "rockstar",
            "lemonade", "snoopy", "tigger", "garfield", "mickey", "minnie", "qwerty123", "iloveu", "ihateyou",
        };
        QSet<QString> set;
        for (const char *w : list)
            set.insert(QString::fromLatin1(w));
        return set;
    }();
    return words;
}

// Keyboard rows and columns, forwards; runs are matched both ways.
const QStringList &keyboardRuns()
{
    static const QStringList runs {
        QStringLiteral("1234567890"), QStringLiteral("qwertyuiopasdfghjklzxcvbnm"), QStringLiteral("qwertzuiopasdfghjklyxcvbnm"),
        QStringLiteral("azertyuiopqsdfghjklmwxcvbn"), QStringLiteral("1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p"),
        QStringLiteral("1q2w3e4r5t6y7u8i9o0p"), QStringLiteral("qazwsxedcrfvtgbyhnujmikolp"),
        QStringLiteral("abcdefghijklmnopqrstuvwxyz"), QStringLiteral("0123456789"),
    };
    return runs;
}

QString undoLookAlikes(QString s)
{
    static const std::pair<char16_t, char16_t> swaps[] = { { u'0', u'o' }, { u'1', u'i' }, { u'3', u'e' }, { u'4', u'a' },
                                                           { u'5', u's' }, { u'7', u't' }, { u'@', u'a' }, { u'$', u's' },
                                                           { u'!', u'i' }, { u'|', u'l' } };
    for (const auto &[from, to] : swaps)
        s.replace(QChar(from), QChar(to));
    return s;
}

// "Summer2026!!" -> "summer"; "!!2026" -> "".
QString stem(const QString &lower)
{
    qsizetype first = 0;
    qsizetype last = lower.size();
    while (first < last && !lower.at(first).isLetter())
        ++first;
    while (last > first && !lower.at(last - 1).isLetter())
        --last;
    return lower.sliced(first, last - first);
}

// The same unit over and over ("abcabcabcabc", "passwordpassword", "zzzzzzzzzzzz").
bool isRepetition(const QString &s)
{
    for (qsizetype unit = 1; unit <= s.size() / 2; ++unit) {
        if (s.size() % unit != 0)
            continue;
        bool same = true;
        for (qsizetype i = unit; i < s.size() && same; ++i)
            same = s.at(i) == s.at(i - unit);
        if (same)
            return true;
    }
    return false;
}

bool isKeyboardRun(const QString &lower)
{
    QString reversed = lower;
    std::reverse(reversed.begin(), reversed.end());
    for (const QString &run : keyboardRuns()) {
        // Runs wrap around ("7890123456"), so look in the run written twice.
        const QString twice = run + run;
        if (twice.contains(lower) || twice.contains(reversed))
            return true;
    }
    return false;
}

bool isCommon(const QString &lower)
{
    const QSet<QString> &common = commonPasswords();
    // Digits and symbols around the word are cut before and after look-alikes are undone:
    // "p@ssw0rd2026!" -> "p@ssw0rd" -> "password".
    for (const QString &core : { stem(lower), undoLookAlikes(stem(lower)), stem(undoLookAlikes(lower)) }) {
        if (common.contains(core) || (isRepetition(core) && !core.isEmpty()))
            return true;
        // Two common words or a word doubled ("welcomewelcome", "adminpassword").
        for (qsizetype split = 3; split + 3 <= core.size(); ++split) {
            if (common.contains(core.first(split)) && common.contains(core.sliced(split)))
                return true;
        }
    }
    return common.contains(lower);
}

} // namespace

Result<void> PasswordPolicy::check(QByteArrayView password, const QString &userName, bool demoWorkspace)
{
    if (demoWorkspace && password == QByteArrayView(store::demoUserPassword))
        return {};
    const QString text = QString::fromUtf8(password);
    const qsizetype characters = text.toUcs4().size();
    if (characters < shortest)
        return fail(QStringLiteral("a password needs at least %1 characters: whoever copies the workspace file can try "
                                   "short ones offline; a phrase of four unrelated words is long enough")
                        .arg(shortest));
    if (password.size() > longest)
        return fail(QStringLiteral("a password may have at most %1 bytes").arg(longest));
    const QString lower = text.toLower();
    if (userName.size() >= 3 && lower.contains(userName.toLower()))
        return fail(QStringLiteral("the password contains the user name %1, which is the first thing tried; choose one "
                                   "without it")
                        .arg(userName));
    if (isRepetition(lower) || isKeyboardRun(lower))
        return fail(QStringLiteral("the password is a keyboard run, a sequence or a repetition, which are tried first; "
                                   "choose a phrase of unrelated words"));
    if (isCommon(lower))
        return fail(QStringLiteral("the password is one of the most common passwords (or one with digits or symbols "
                                   "added), which are tried first; choose a phrase of unrelated words"));
    return {};
}

} // namespace simfleet::access
