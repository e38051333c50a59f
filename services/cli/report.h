#pragma once

#include <string>

#include "gaitkeeper/planning/v1/planning.pb.h"
#include "gaitkeeper/scoring/v1/scoring.pb.h"

// Human-readable text for what a runner would see in the app.
namespace gaitkeeper::cli {

std::string FormatScore(const scoring::v1::GaitScore& score);
std::string FormatPlan(const planning::v1::Plan& plan);

}  // namespace gaitkeeper::cli
