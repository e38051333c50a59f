#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gaitkeeper/ingestion/v1/ingestion.grpc.pb.h"
#include "gaitkeeper/planning/v1/planning.grpc.pb.h"
#include "gaitkeeper/scoring/v1/scoring.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "services/cli/client_auth.h"
#include "services/common/status.h"

// The companion app's side of the API, as one runner: the calls gaitkeeper-cli makes for its demo
// and gaitkeeper-ghz makes to prepare a load test. Every call carries the runner's credentials
// and a 30 s deadline.
namespace gaitkeeper::cli {

class Companion {
 public:
  // `credentials` are the runner's: every call carries them.
  Companion(std::shared_ptr<grpc::Channel> ingestion, std::shared_ptr<grpc::Channel> scoring,
            std::shared_ptr<grpc::Channel> planning, std::shared_ptr<CallerCredentials> credentials);

  absl::StatusOr<ingestion::v1::Athlete> CreateAthlete(float height_cm);
  absl::StatusOr<ingestion::v1::Athlete> GetAthlete(const std::string& name);
  // A session of `athlete` ("athletes/{id}") recorded by the app on the road, starting at `start_us`.
  absl::StatusOr<ingestion::v1::Session> CreateSession(const std::string& athlete, int64_t start_us);
  // Uploads `samples` in batches of `batch_size`, starting after the last committed batch (which
  // it resends on purpose: the server must ignore it). With `drop_after` > 0 the stream is cut
  // after that many batches, once the server has committed them (as a phone losing signal), and
  // the result is CANCELLED.
  absl::StatusOr<ingestion::v1::UploadSamplesResponse> Upload(const std::string& session,
                                                              const std::vector<ingestion::v1::DynamicsSample>& samples,
                                                              int batch_size, int drop_after);
  absl::StatusOr<ingestion::v1::Session> Complete(const std::string& session);
  absl::StatusOr<ingestion::v1::PainReport> ReportPain(const std::string& athlete, const std::string& session,
                                                       const common::v1::Date& date, int after, int next_morning);
  // Polls until scoring has stored the session's score (the outbox delivers it asynchronously).
  absl::StatusOr<scoring::v1::GaitScore> WaitForScore(const std::string& session, int timeout_s);
  // Waits for the plan planning prepares from `score` (asynchronously, through scoring's outbox)
  // and logs its items of the first `days` days as done (the runner's week).
  absl::StatusOr<int> LogFirstDays(const std::string& athlete, const std::string& score, int days, int timeout_s);
  absl::StatusOr<planning::v1::Plan> GeneratePlan(const std::string& athlete, const common::v1::Date& start);

 private:
  template <typename Rpc, typename Response>
  absl::StatusOr<Response> Call(Rpc rpc, Response& response) {
    grpc::ClientContext context;
    if (absl::Status attached = credentials_->Attach(context); !attached.ok()) return attached;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    absl::Status status = FromGrpcStatus(rpc(&context));
    if (!status.ok()) return status;
    return response;
  }

  std::unique_ptr<ingestion::v1::IngestionService::Stub> ingestion_;
  std::unique_ptr<scoring::v1::ScoringService::Stub> scoring_;
  std::unique_ptr<planning::v1::PlanningService::Stub> planning_;
  std::shared_ptr<CallerCredentials> credentials_;
};

}  // namespace gaitkeeper::cli
