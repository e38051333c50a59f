// gaitkeeper-load: load generator and baselines for docs/PERFORMANCE.md. Sends traffic only to the
// addresses it is given (loopback in bench/run.sh), bounded in time and count.
//   create-sessions  unary CreateSession QPS and latency at --concurrency callers for --seconds
//   ingest           stores --sessions whole sessions (--kind dynamics|imu100|imu500) over the
//                    streaming RPCs from --concurrency callers; samples/s
//   copy-baseline    COPY of the same samples, one row per sample, into a plain table; rows/s
// Each simulated caller is one athlete with its own connection and bearer token: with
// --signing_keys the tool mints an athlete token for a new athlete id per caller and creates that
// athlete (the services' per-caller limits then apply per simulated app, as in production); with
// --token every caller uses that one token (and its athlete). --tls_ca: TLS (client_auth.h).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_format.h"
#include "gaitkeeper/ingestion/v1/ingestion.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "pqxx/pqxx"
#include "services/cli/client_auth.h"
#include "services/cli/synthetic_session.h"
#include "services/common/flags.h"
#include "services/common/resource_names.h"
#include "services/common/status.h"
#include "services/common/time_util.h"

namespace gaitkeeper::bench {
namespace {

namespace ing = ingestion::v1;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

// One simulated app: its own connection, its athlete and that athlete's token.
struct Caller {
  std::unique_ptr<ing::IngestionService::Stub> stub;
  std::shared_ptr<cli::CallerCredentials> credentials;
  std::string athlete;  // "athletes/{id}"
};

// A new caller: a connection of its own, an athlete token for a new athlete id (or the --token),
// and the athlete created (or, for a --token whose athlete exists already, looked up by name).
absl::StatusOr<Caller> NewCaller(const cli::ClientAuth& client, const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one connection per stub, like separate apps
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client.Channel(target, args);
  if (!channel.ok()) return channel.status();
  Caller caller;
  caller.stub = ing::IngestionService::NewStub(*channel);
  caller.credentials = client.CredentialsFor(names::NewUuid(), auth::kRoleAthlete);
  ing::CreateAthleteRequest r;
  r.set_request_id(names::NewUuid());
  r.mutable_athlete()->set_height_cm(175);
  ing::Athlete a;
  grpc::ClientContext c;
  if (absl::Status attached = caller.credentials->Attach(c); !attached.ok()) return attached;
  absl::Status s = FromGrpcStatus(caller.stub->CreateAthlete(&c, r, &a));
  if (s.code() == absl::StatusCode::kAlreadyExists && client.has_fixed_token() &&
      !caller.credentials->subject().empty()) {
    caller.athlete = names::Athlete(caller.credentials->subject());
    return caller;
  }
  if (!s.ok()) return s;
  caller.athlete = a.name();
  return caller;
}

absl::StatusOr<std::vector<Caller>> NewCallers(const cli::ClientAuth& client, const std::string& target, int count) {
  std::vector<Caller> callers;
  for (int i = 0; i < count; ++i) {
    absl::StatusOr<Caller> caller = NewCaller(client, target);
    if (!caller.ok()) return caller.status();
    callers.push_back(std::move(*caller));
  }
  return callers;
}

absl::StatusOr<std::string> NewSession(Caller& caller) {
  ing::CreateSessionRequest r;
  r.set_parent(caller.athlete);
  r.set_request_id(names::NewUuid());
  *r.mutable_session()->mutable_start_time() = timeutil::FromMicros(timeutil::NowMicros() - 3600LL * 1000000);
  ing::Session s;
  grpc::ClientContext c;
  if (absl::Status attached = caller.credentials->Attach(c); !attached.ok()) return attached;
  absl::Status status = FromGrpcStatus(caller.stub->CreateSession(&c, r, &s));
  if (!status.ok()) return status;
  return s.name();
}

int SetupFailed(const absl::Status& status) {
  std::fprintf(stderr, "setup failed: %s\n", status.ToString().c_str());
  return 1;
}

// The first error of a run, printed once at the end (the count says how many there were).
class FirstError {
 public:
  void Record(const absl::Status& status) {
    std::lock_guard<std::mutex> lock(mu_);
    if (first_.ok()) first_ = status;
  }
  void Print() {
    std::lock_guard<std::mutex> lock(mu_);
    std::fflush(stdout);
    if (!first_.ok()) std::fprintf(stderr, "first error: %s\n", first_.ToString().c_str());
  }

 private:
  std::mutex mu_;
  absl::Status first_;
};

int CreateSessions(const Flags& flags, const cli::ClientAuth& client) {
  const std::string target = flags.GetString("target");
  const int concurrency = static_cast<int>(flags.GetInt("concurrency"));
  const auto duration = std::chrono::seconds(flags.GetInt("seconds"));
  // Callers (connections, tokens, athletes) are made before the clock starts.
  absl::StatusOr<std::vector<Caller>> callers = NewCallers(client, target, concurrency);
  if (!callers.ok()) return SetupFailed(callers.status());
  std::mutex mu;
  std::vector<double> latencies_ms;
  std::atomic<int64_t> errors{0};
  FirstError first_error;
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < concurrency; ++w) {
    workers.emplace_back([&, w] {
      Caller& caller = (*callers)[w];
      std::vector<double> mine;
      while (Clock::now() - start < duration) {
        const Clock::time_point t0 = Clock::now();
        absl::StatusOr<std::string> s = NewSession(caller);
        if (!s.ok()) {
          ++errors;
          first_error.Record(s.status());
          continue;
        }
        mine.push_back(Seconds(Clock::now() - t0) * 1000);
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : workers) t.join();
  const double elapsed = Seconds(Clock::now() - start);
  absl::PrintF("create-sessions concurrency=%d requests=%d errors=%d seconds=%.1f qps=%.0f p50_ms=%.2f p99_ms=%.2f\n",
               concurrency, latencies_ms.size(), errors.load(), elapsed, latencies_ms.size() / elapsed,
               Percentile(latencies_ms, 0.5), Percentile(latencies_ms, 0.99));
  first_error.Print();
  return errors.load() == 0 ? 0 : 1;
}

struct ImuKind {
  double rate_hz;
};

int Ingest(const Flags& flags, const cli::ClientAuth& client) {
  const std::string target = flags.GetString("target");
  const std::string kind = flags.GetString("kind");
  const int sessions = static_cast<int>(flags.GetInt("sessions"));
  const int concurrency = static_cast<int>(flags.GetInt("concurrency"));
  const int minutes = static_cast<int>(flags.GetInt("minutes"));
  absl::StatusOr<std::vector<Caller>> callers = NewCallers(client, target, concurrency);
  if (!callers.ok()) return SetupFailed(callers.status());
  // Prepare payloads before the clock starts: the measurement is the server's, not the generator's.
  synthetic::RunProfile profile;
  profile.duration_s = minutes * 60;
  const std::vector<ing::DynamicsSample> run = synthetic::GenerateRun(profile);
  std::vector<ing::UploadSamplesRequest> dynamics_batches;
  std::vector<ing::UploadImuSamplesRequest> imu_batches;
  int64_t samples_per_session = 0;
  if (kind == "dynamics") {
    for (size_t b = 0; b < run.size(); b += 600) {
      ing::UploadSamplesRequest r;
      r.set_sequence(static_cast<int64_t>(b / 600 + 1));
      for (size_t i = b; i < std::min(run.size(), b + 600); ++i) *r.add_samples() = run[i];
      dynamics_batches.push_back(std::move(r));
    }
    samples_per_session = static_cast<int64_t>(run.size());
  } else {
    const double rate = kind == "imu100" ? 100 : 500;
    const int64_t total = static_cast<int64_t>(rate * profile.duration_s);
    const int per_batch = 10000;
    for (int64_t b = 0; b < total; b += per_batch) {
      ing::UploadImuSamplesRequest r;
      r.set_sequence(b / per_batch + 1);
      r.mutable_stream()->set_placement(ing::SENSOR_PLACEMENT_SHIN_RIGHT);
      r.mutable_stream()->set_rate_hz(static_cast<float>(rate));
      r.mutable_stream()->set_accel_range_g(16);
      r.mutable_stream()->set_has_gyroscope(true);
      r.mutable_stream()->set_gyro_range_dps(2000);
      r.set_start_offset_us(static_cast<uint64_t>(b * 1e6 / rate));
      for (int64_t i = b; i < std::min(total, b + per_batch); ++i) {
        const double t = i / rate;
        const float wave = static_cast<float>(std::sin(t * 2 * 3.14159 * 1.35));
        r.add_accel_x_g(0.3f * wave);
        r.add_accel_y_g(0.1f * wave);
        r.add_accel_z_g(1.0f + 2.5f * wave * wave);
        r.add_gyro_x_dps(20 * wave);
        r.add_gyro_y_dps(300 * wave);
        r.add_gyro_z_dps(10 * wave);
      }
      imu_batches.push_back(std::move(r));
    }
    samples_per_session = total;
  }
  // Session s belongs to (and is uploaded by) caller s % concurrency.
  std::vector<std::string> session_names;
  for (int s = 0; s < sessions; ++s) {
    absl::StatusOr<std::string> name = NewSession((*callers)[s % concurrency]);
    if (!name.ok()) return SetupFailed(name.status());
    session_names.push_back(*name);
  }
  std::atomic<int64_t> errors{0};
  const Clock::time_point start = Clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < concurrency; ++w) {
    workers.emplace_back([&, w] {
      Caller& caller = (*callers)[w];
      for (int s = w; s < sessions; s += concurrency) {
        grpc::ClientContext c;
        if (absl::Status attached = caller.credentials->Attach(c); !attached.ok()) {
          ++errors;
          std::fprintf(stderr, "upload failed: %s\n", attached.ToString().c_str());
          continue;
        }
        grpc::Status status;
        if (kind == "dynamics") {
          ing::UploadSamplesResponse response;
          auto writer = caller.stub->UploadSamples(&c, &response);
          for (ing::UploadSamplesRequest batch : dynamics_batches) {
            batch.set_session(session_names[s]);
            if (!writer->Write(batch)) break;
          }
          writer->WritesDone();
          status = writer->Finish();
        } else {
          ing::UploadImuSamplesResponse response;
          auto writer = caller.stub->UploadImuSamples(&c, &response);
          for (ing::UploadImuSamplesRequest batch : imu_batches) {
            batch.set_session(session_names[s]);
            if (!writer->Write(batch)) break;
          }
          writer->WritesDone();
          status = writer->Finish();
        }
        if (!status.ok()) {
          ++errors;
          std::fprintf(stderr, "upload failed: %s\n", FromGrpcStatus(status).ToString().c_str());
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  const double elapsed = Seconds(Clock::now() - start);
  const int64_t stored = samples_per_session * sessions;
  absl::PrintF("ingest kind=%s sessions=%d concurrency=%d samples=%d seconds=%.2f samples_per_s=%.0f errors=%d\n",
               kind, sessions, concurrency, stored, elapsed, stored / elapsed, errors.load());
  return errors.load() == 0 ? 0 : 1;
}

// The baseline: the same samples COPYed one row per sample into a plain indexed table.
int CopyBaseline(const Flags& flags) {
  const std::string kind = flags.GetString("kind");
  const int sessions = static_cast<int>(flags.GetInt("sessions"));
  const int minutes = static_cast<int>(flags.GetInt("minutes"));
  const double rate = kind == "dynamics" ? 1 : (kind == "imu100" ? 100 : 500);
  const int64_t per_session = static_cast<int64_t>(rate * minutes * 60);
  pqxx::connection conn(flags.GetString("database_url"));
  {
    pqxx::work tx(conn);
    tx.exec(kind == "dynamics"
                ? "CREATE TEMP TABLE bench_rows (session_id uuid, offset_ms bigint, speed real, cadence real, "
                  "step_length real, vo real, ratio real, gct real, balance real, hr real, distance real, "
                  "PRIMARY KEY (session_id, offset_ms))"
                : "CREATE TEMP TABLE bench_rows (session_id uuid, offset_us bigint, ax real, ay real, az real, "
                  "gx real, gy real, gz real, PRIMARY KEY (session_id, offset_us))");
    tx.commit();
  }
  synthetic::RunProfile profile;
  profile.duration_s = minutes * 60;
  const std::vector<ing::DynamicsSample> run = synthetic::GenerateRun(profile);
  const Clock::time_point start = Clock::now();
  for (int s = 0; s < sessions; ++s) {
    const std::string session = names::NewUuid();
    pqxx::work tx(conn);
    pqxx::stream_to copy(tx, "bench_rows");
    if (kind == "dynamics") {
      for (const ing::DynamicsSample& x : run) {
        copy << std::make_tuple(session, static_cast<int64_t>(x.offset_ms()), x.speed_mps(), x.cadence_spm(),
                                x.step_length_m(), x.vertical_oscillation_cm(), x.vertical_ratio_pct(),
                                x.ground_contact_time_ms(), x.gct_balance_left_pct(), x.heart_rate_bpm(), x.distance_m());
      }
    } else {
      for (int64_t i = 0; i < per_session; ++i) {
        const float wave = static_cast<float>(std::sin(i / rate * 2 * 3.14159 * 1.35));
        copy << std::make_tuple(session, static_cast<int64_t>(i * 1e6 / rate), 0.3f * wave, 0.1f * wave,
                                1.0f + 2.5f * wave * wave, 20 * wave, 300 * wave, 10 * wave);
      }
    }
    copy.complete();
    tx.commit();
  }
  const double elapsed = Seconds(Clock::now() - start);
  const int64_t rows = per_session * sessions;
  absl::PrintF("copy-baseline kind=%s sessions=%d rows=%d seconds=%.2f rows_per_s=%.0f\n", kind, sessions, rows,
               elapsed, rows / elapsed);
  return 0;
}

}  // namespace
}  // namespace gaitkeeper::bench

int main(int argc, char** argv) {
  using namespace gaitkeeper;
  if (argc < 2) {
    std::fprintf(stderr, "usage: gaitkeeper-load create-sessions|ingest|copy-baseline [--flags]\n");
    return 2;
  }
  const std::string mode = argv[1];
  Flags flags("gaitkeeper-load " + mode);
  flags.AddString("target", "GK_LOAD_TARGET", "127.0.0.1:50051", "ingestion service host:port");
  flags.AddString("database_url", "GK_DATABASE_URL", "", "for copy-baseline: the database to COPY into");
  flags.AddInt("concurrency", "GK_LOAD_CONCURRENCY", 16, 1, 256, "concurrent callers");
  flags.AddInt("seconds", "GK_LOAD_SECONDS", 10, 1, 600, "duration of create-sessions");
  flags.AddInt("sessions", "GK_LOAD_SESSIONS", 8, 1, 10000, "sessions to ingest");
  flags.AddInt("minutes", "GK_LOAD_MINUTES", 30, 1, 240, "length of each ingested session");
  flags.AddChoice("kind", "GK_LOAD_KIND", "dynamics", {"dynamics", "imu100", "imu500"}, "what to ingest");
  cli::AddClientAuthFlags(flags);
  absl::Status parsed = flags.Parse(argc - 1, argv + 1);
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", std::string(parsed.message()).c_str());
    return 2;
  }
  if (mode == "copy-baseline") return bench::CopyBaseline(flags);
  absl::StatusOr<cli::ClientAuth> client = cli::ClientAuth::FromFlags(flags);
  if (!client.ok()) {
    std::fprintf(stderr, "%s\n", std::string(client.status().message()).c_str());
    return 2;
  }
  if (mode == "create-sessions") return bench::CreateSessions(flags, *client);
  if (mode == "ingest") return bench::Ingest(flags, *client);
  std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
  return 2;
}
