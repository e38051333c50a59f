#pragma once

#include <vector>

#include "gaitkeeper/scoring/v1/scoring.pb.h"
#include "services/scoring/imu/imu_gait.h"

// Turns the IMU analysis (services/scoring/imu) into the API's score messages. Pure.
namespace gaitkeeper::scoring {

const char* PlacementName(imu::Placement placement);

v1::ImuSensorMetrics ToProto(const imu::ImuSignal& signal, const imu::ImuMetrics& metrics);

// Analyses every signal and adds its metrics, plus left/right asymmetry for a pair of feet or
// shins, to `score`.
void AddImuMetrics(const std::vector<imu::ImuSignal>& signals, v1::GaitScore* score);

}  // namespace gaitkeeper::scoring
