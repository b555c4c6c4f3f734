#include "devicecsv.h"
#include "csvreader.h"

#include "store/devicerepository.h"

#include <QStringList>

namespace simfleet::fleet::deviceCsv {

QByteArray header()
{
    return "eid,imei,serial,model,secure_element,label,latitude,longitude,customer,fleet,operator,iccid,attestation\n";
}

QByteArray row(const store::DeviceOverview &o)
{
    const store::DeviceRecord &d = o.device;
    const QStringList fields { csvQuoted(d.eid),
                               csvQuoted(d.imei),
                               csvQuoted(d.serial),
                               csvQuoted(d.model),
                               store::secureElementName(d.secureElement),
                               csvQuoted(d.label),
                               d.latitude ? QString::number(*d.latitude) : QString(),
                               d.longitude ? QString::number(*d.longitude) : QString(),
                               csvQuoted(o.customer),
                               csvQuoted(o.fleet),
                               csvQuoted(o.operatorName.value_or(QString())),
                               csvQuoted(o.iccid.value_or(QString())),
                               csvQuoted(o.attestation.value_or(QString())) };
    return fields.join(u',').toUtf8() + '\n';
}

} // namespace simfleet::fleet::deviceCsv
