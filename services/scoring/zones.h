#pragma once

#include "gaitkeeper/scoring/v1/scoring.pb.h"

// Population zones of running dynamics: the Garmin Running Dynamics colour zones of
// ../shared/domain/EVIDENCE.md section 2 (percentile bands of runners: > 95 / 70–95 / 30–69 /
// 5–29 / < 5). They describe where a runner sits among runners; they are NOT injury thresholds.
// Values are rounded to the table's resolution (1 spm, 1 ms, 0.1 cm, 0.1 %) before zoning.
namespace gaitkeeper::scoring {

enum class OscillationSensor { kChest, kPod };

v1::Zone CadenceZone(double steps_per_minute);
v1::Zone GroundContactTimeZone(double milliseconds);
v1::Zone VerticalOscillationZone(double centimetres, OscillationSensor sensor);
v1::Zone VerticalRatioZone(double percent, OscillationSensor sensor);
// GCT balance: within 50.7 % either way green, 50.8–52.2 % orange, above red.
v1::Zone GctBalanceZone(double percent_left);

const char* ZoneName(v1::Zone zone);

}  // namespace gaitkeeper::scoring
