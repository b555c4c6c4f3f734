#include "cryptoerror.h"

#include <openssl/err.h>

namespace simfleet::crypto {

QString takeOpenSslError(const char *what)
{
    QString text = QString::fromUtf8(what);
    unsigned long code = 0;
    bool first = true;
    while ((code = ERR_get_error()) != 0) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof buffer);
        text += first ? QStringLiteral(": ") : QStringLiteral("; ");
        text += QString::fromUtf8(buffer);
        first = false;
    }
    return text;
}

void clearOpenSslErrors()
{
    ERR_clear_error();
}

} // namespace simfleet::crypto
