// libFuzzer target for the reader of published reference values (`reference-values import`):
// the file comes from a manufacturer, so any bytes. Whatever the input, parse ends with values or
// one error; values it accepts are whole (every field set, every measurement a SHA-256) and
// survive being written in the published form and read again unchanged.

#include "attestation/referencevaluejson.h"
#include "store/referencevaluerepository.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <cstddef>
#include <cstdint>

using namespace simfleet;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    namespace json = attestation::referenceValueJson;
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto values = json::parse(input, QStringLiteral("fuzz.json"));
    if (!values) {
        if (values.errorMessage().isEmpty())
            __builtin_trap();
        return 0;
    }
    for (const store::ReferenceValueRecord &r : values.value()) {
        if (r.manufacturer.isEmpty() || r.hwmodel.isEmpty() || r.swname.isEmpty() || r.swversion.isEmpty()
            || r.measurements.isEmpty())
            __builtin_trap();
        for (const auto &[component, digest] : r.measurements) {
            if (digest.size() != 32)
                __builtin_trap();
        }
    }
    const QByteArray written = QJsonDocument(json::published(values.value())).toJson();
    const auto again = json::parse(written, QStringLiteral("again"));
    if (!again || again->size() != values->size())
        __builtin_trap();
    for (qsizetype i = 0; i < again->size(); ++i) {
        const store::ReferenceValueRecord &a = values->at(i);
        const store::ReferenceValueRecord &b = again->at(i);
        if (a.manufacturer != b.manufacturer || a.hwmodel != b.hwmodel || a.swname != b.swname
            || a.swversion != b.swversion || a.oemid != b.oemid || a.measurements.size() != b.measurements.size())
            __builtin_trap();
    }
    return 0;
}
