#include "services/ingestion/fit/fit_crc.h"

#include <array>

namespace gaitkeeper::ingestion::fit {
namespace {

// Nibble table from the FIT protocol description: the CRC is updated one
// 4-bit half of each byte at a time, low half first.
constexpr std::array<uint16_t, 16> kCrcTable = {
    0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
    0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400};

uint16_t UpdateNibble(uint16_t crc, uint8_t nibble) {
  const uint16_t tmp = kCrcTable[crc & 0xF];
  crc = (crc >> 4) & 0x0FFF;
  return crc ^ tmp ^ kCrcTable[nibble & 0xF];
}

}  // namespace

uint16_t FitCrc16(absl::string_view bytes, uint16_t crc) {
  for (const char c : bytes) {
    const auto byte = static_cast<uint8_t>(c);
    crc = UpdateNibble(crc, byte);
    crc = UpdateNibble(crc, byte >> 4);
  }
  return crc;
}

}  // namespace gaitkeeper::ingestion::fit
