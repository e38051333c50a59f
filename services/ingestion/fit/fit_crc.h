#pragma once

#include <cstdint>

#include "absl/strings/string_view.h"

namespace gaitkeeper::ingestion::fit {

// The FIT CRC-16 (polynomial 0x8005, reflected, initial value 0) of `bytes`,
// continuing from `crc`. A FIT file's CRC covers the header and the data;
// the header CRC covers the first 12 header bytes.
uint16_t FitCrc16(absl::string_view bytes, uint16_t crc = 0);

}  // namespace gaitkeeper::ingestion::fit
