#include "services/scoring/zones.h"

#include <cmath>

namespace gaitkeeper::scoring {
namespace {

double RoundTo(double value, double resolution) { return std::round(value / resolution) * resolution; }

// Zones for metrics where higher is "purple": purple > a, blue b..a, green c..b-1, orange d..c-1.
// Boundaries are inclusive lower bounds of each band, per the EVIDENCE.md table.
v1::Zone HighIsPurple(double v, double blue_min, double green_min, double orange_min, double purple_above) {
  if (v > purple_above) return v1::ZONE_PURPLE;
  if (v >= blue_min) return v1::ZONE_BLUE;
  if (v >= green_min) return v1::ZONE_GREEN;
  if (v >= orange_min) return v1::ZONE_ORANGE;
  return v1::ZONE_RED;
}

// Zones where lower is "purple": purple < a, blue a..b, green ..c, orange ..d, red > d.
v1::Zone LowIsPurple(double v, double purple_below, double blue_max, double green_max, double orange_max) {
  if (v < purple_below) return v1::ZONE_PURPLE;
  if (v <= blue_max) return v1::ZONE_BLUE;
  if (v <= green_max) return v1::ZONE_GREEN;
  if (v <= orange_max) return v1::ZONE_ORANGE;
  return v1::ZONE_RED;
}

}  // namespace

v1::Zone CadenceZone(double spm) {
  // purple > 183 | blue 174–183 | green 164–173 | orange 153–163 | red < 153
  return HighIsPurple(RoundTo(spm, 1), 174, 164, 153, 183);
}

v1::Zone GroundContactTimeZone(double ms) {
  // purple < 218 | blue 218–248 | green 249–277 | orange 278–308 | red > 308
  return LowIsPurple(RoundTo(ms, 1), 218, 248, 277, 308);
}

v1::Zone VerticalOscillationZone(double cm, OscillationSensor sensor) {
  const double v = RoundTo(cm, 0.1);
  // chest: purple < 6.4 | blue 6.4–8.1 | green 8.2–9.7 | orange 9.8–11.5 | red > 11.5
  // pod:   purple < 6.8 | blue 6.8–8.9 | green 9.0–10.9 | orange 11.0–13.0 | red > 13.0
  constexpr double kEps = 1e-9;
  return sensor == OscillationSensor::kChest ? LowIsPurple(v, 6.4 - kEps, 8.1 + kEps, 9.7 + kEps, 11.5 + kEps)
                                             : LowIsPurple(v, 6.8 - kEps, 8.9 + kEps, 10.9 + kEps, 13.0 + kEps);
}

v1::Zone VerticalRatioZone(double percent, OscillationSensor sensor) {
  const double v = RoundTo(percent, 0.1);
  // chest: purple < 6.1 | blue 6.1–7.4 | green 7.5–8.6 | orange 8.7–10.1 | red > 10.1
  // pod:   purple < 6.5 | blue 6.5–8.3 | green 8.4–10.0 | orange 10.1–11.9 | red > 11.9
  constexpr double kEps = 1e-9;
  return sensor == OscillationSensor::kChest ? LowIsPurple(v, 6.1 - kEps, 7.4 + kEps, 8.6 + kEps, 10.1 + kEps)
                                             : LowIsPurple(v, 6.5 - kEps, 8.3 + kEps, 10.0 + kEps, 11.9 + kEps);
}

v1::Zone GctBalanceZone(double percent_left) {
  const double off = std::fabs(RoundTo(percent_left, 0.1) - 50.0);
  constexpr double kEps = 1e-9;
  if (off <= 0.7 + kEps) return v1::ZONE_GREEN;
  if (off <= 2.2 + kEps) return v1::ZONE_ORANGE;
  return v1::ZONE_RED;
}

const char* ZoneName(v1::Zone zone) {
  switch (zone) {
    case v1::ZONE_PURPLE: return "purple";
    case v1::ZONE_BLUE: return "blue";
    case v1::ZONE_GREEN: return "green";
    case v1::ZONE_ORANGE: return "orange";
    case v1::ZONE_RED: return "red";
    default: return "none";
  }
}

}  // namespace gaitkeeper::scoring
