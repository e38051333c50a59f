#pragma once

#include <optional>

#include "gaitkeeper/scoring/v1/scoring.pb.h"
#include "services/scoring/knee_load/knee_load.h"

// Between the stored score (proto) and the knee-load engine's plain structs. Pure.
namespace gaitkeeper::scoring {

// The figures of one scored session: dynamics medians and thirds, and from IMU sensors impact
// (shin preferred, then foot, then pelvis), foot strike (foot sensors) and asymmetry. `source` is
// the session's main sensor; IMU figures carry their own placement as source.
knee_load::SessionFigures FiguresFromScore(const v1::GaitScore& score, int64_t start_s, std::optional<double> distance_m,
                                           std::optional<double> duration_s, knee_load::DataSource source);

v1::KneeLoad ToProto(const knee_load::KneeLoadResult& result);

// gaitkeeper.ingestion.v1.DataSource value -> the engine's source.
knee_load::DataSource SourceFromSession(int data_source);

}  // namespace gaitkeeper::scoring
