// gaitkeeper-ghz: makes the ghz configurations in bench/ghz ready to run, and runs them.
//
//   gaitkeeper-ghz fill --configs=bench/ghz --out=DIR --ingestion=H:P --scoring=H:P --planning=H:P
//                       --signing_keys=... --kid=... --issuer=... --tls_ca=CA
//       Mints a real athlete token (RS256/ES256/HS256, as the key set says), creates that athlete
//       by running create_athlete.json, gives it a scored session (a synthetic 10-minute run,
//       uploaded, completed and scored) and an open one, and writes every *.json of --configs to
//       --out with TOKEN, ATHLETE_ID, REQUEST_ID, SESSION_ID (the scored session) and
//       OPEN_SESSION_ID (the open one) filled in, "host" pointed at the service the call belongs
//       to and "cacert" at --tls_ca (the rest of each file as it is). The files hold a live token:
//       they are written 0600.
//
//   gaitkeeper-ghz run --config=FILE [--calls=N]
//       Runs the configuration's call N times, one after another, as ghz would send it (host,
//       cacert, metadata, call, data, with a fresh {{newUUID}} per call): unary calls and client
//       streams. Prints the count of each status code; exits 0 only when every call is OK. It
//       does not measure anything: it proves a configuration is valid against the real services.
//
// ghz itself is not packaged for Debian 12 (bench/ghz/README.md); this is what exercises the
// configurations in CI (tests/integration/binaries_e2e.sh). Tokens are never printed.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "gaitkeeper/ingestion/v1/ingestion.grpc.pb.h"
#include "gaitkeeper/planning/v1/planning.grpc.pb.h"
#include "gaitkeeper/scoring/v1/scoring.grpc.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "services/cli/client_auth.h"
#include "services/cli/companion.h"
#include "services/cli/synthetic_session.h"
#include "services/common/flags.h"
#include "services/common/resource_names.h"
#include "services/common/status.h"
#include "services/common/time_util.h"
#include "services/common/tls/tls.h"

namespace gaitkeeper::ghz {
namespace {

namespace ing = ingestion::v1;
namespace fs = std::filesystem;
using google::protobuf::Struct;
using google::protobuf::Value;

// ---------------------------------------------------------------------------------------------
// Configuration files.

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<Struct> ParseJsonObject(const std::string& json, const std::string& what) {
  Struct object;
  // The parser's message quotes the text around the error, which may be the token: not passed on.
  if (!google::protobuf::util::JsonStringToMessage(json, &object).ok()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is not a JSON object"));
  }
  return object;
}

const Value* FieldOf(const Struct& object, const std::string& name) {
  auto it = object.fields().find(name);
  return it == object.fields().end() ? nullptr : &it->second;
}

absl::StatusOr<std::string> StringField(const Struct& object, const std::string& name, const std::string& what) {
  const Value* value = FieldOf(object, name);
  if (value == nullptr || value->kind_case() != Value::kStringValue || value->string_value().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": \"", name, "\" must be a non-empty string"));
  }
  return value->string_value();
}

// "gaitkeeper.ingestion.v1.IngestionService/CreateSession" -> "ingestion".
absl::StatusOr<std::string> ServiceArea(const std::string& call) {
  for (const char* area : {"ingestion", "scoring", "planning"}) {
    if (absl::StartsWith(call, absl::StrCat("gaitkeeper.", area, ".v1."))) return std::string(area);
  }
  return absl::InvalidArgumentError(absl::StrCat("call ", call, " is not a Gaitkeeper service"));
}

// The placeholders of bench/ghz (README.md there). OPEN_SESSION_ID before SESSION_ID: the one
// contains the other.
constexpr const char* kPlaceholders[] = {"OPEN_SESSION_ID", "SESSION_ID", "ATHLETE_ID", "REQUEST_ID", "Bearer TOKEN"};

// ---------------------------------------------------------------------------------------------
// run: one configuration's call, N times.

class Runner {
 public:
  static absl::StatusOr<Runner> FromFile(const std::string& path) {
    absl::StatusOr<std::string> text = ReadFile(path);
    if (!text.ok()) return text.status();
    for (const char* placeholder : kPlaceholders) {
      if (absl::StrContains(*text, placeholder)) {
        return absl::FailedPreconditionError(
            absl::StrCat(path, " still holds the placeholder ", placeholder, ": fill it first (gaitkeeper-ghz fill)"));
      }
    }
    absl::StatusOr<Struct> config = ParseJsonObject(*text, path);
    if (!config.ok()) return config.status();
    Runner runner;
    for (auto [field, out] : {std::pair{"host", &runner.host_}, {"call", &runner.call_}}) {
      absl::StatusOr<std::string> value = StringField(*config, field, path);
      if (!value.ok()) return value.status();
      *out = *value;
    }
    if (const Value* cacert = FieldOf(*config, "cacert"); cacert != nullptr) runner.cacert_ = cacert->string_value();
    if (const Value* metadata = FieldOf(*config, "metadata"); metadata != nullptr) {
      if (metadata->kind_case() != Value::kStructValue) return absl::InvalidArgumentError(path + ": metadata must be an object");
      for (const auto& [key, value] : metadata->struct_value().fields()) {
        if (value.kind_case() != Value::kStringValue) return absl::InvalidArgumentError(path + ": metadata values must be strings");
        runner.metadata_.emplace(key, value.string_value());
      }
    }
    const Value* data = FieldOf(*config, "data");
    if (data == nullptr) return absl::InvalidArgumentError(path + ": no \"data\"");
    if (data->kind_case() == Value::kListValue) {
      for (const Value& item : data->list_value().values()) runner.messages_json_.push_back(ToJson(item));
    } else {
      runner.messages_json_.push_back(ToJson(*data));
    }
    if (runner.messages_json_.empty()) return absl::InvalidArgumentError(path + ": \"data\" is an empty list");
    // "pkg.Service/Method" -> the method in the linked descriptors.
    const size_t slash = runner.call_.rfind('/');
    if (slash == std::string::npos) return absl::InvalidArgumentError(path + ": call must be package.Service/Method");
    // Touching one message of each service's file links it in and loads it into the generated pool.
    (void)ing::Session::descriptor();
    (void)scoring::v1::GaitScore::descriptor();
    (void)planning::v1::Plan::descriptor();
    runner.method_ = google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
        absl::StrCat(runner.call_.substr(0, slash), ".", runner.call_.substr(slash + 1)));
    if (runner.method_ == nullptr) return absl::NotFoundError(absl::StrCat(path, ": no method ", runner.call_));
    if (runner.method_->server_streaming()) {
      return absl::UnimplementedError(absl::StrCat(runner.call_, " streams its answer; only unary calls and client streams are run"));
    }
    if (!runner.method_->client_streaming() && data->kind_case() == Value::kListValue && runner.messages_json_.size() != 1) {
      return absl::InvalidArgumentError(path + ": a unary call takes one message (an object) as data");
    }
    // Every message must parse now (with a placeholder UUID), not halfway through a run.
    for (const std::string& json : runner.messages_json_) {
      absl::StatusOr<std::string> bytes = runner.Serialize(json);
      if (!bytes.ok()) return bytes.status();
    }
    return runner;
  }

  // Runs the call `calls` times; returns the number of calls per status code.
  absl::StatusOr<std::map<std::string, int>> Run(int calls) {
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    if (cacert_.empty()) {
      if (!tls::IsLoopbackAddress(host_)) return absl::FailedPreconditionError("no cacert: plaintext is for loopback only");
      credentials = grpc::InsecureChannelCredentials();
    } else {
      absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> made = tls::MakeChannelCredentials({.ca_file = cacert_}, host_);
      if (!made.ok()) return made.status();
      credentials = *made;
    }
    grpc::GenericStub stub(grpc::CreateChannel(host_, credentials));
    const std::string path = absl::StrCat("/", call_);
    std::map<std::string, int> codes;
    for (int i = 0; i < calls; ++i) {
      std::vector<grpc::ByteBuffer> requests;
      for (const std::string& json : messages_json_) {
        absl::StatusOr<std::string> bytes = Serialize(json);
        if (!bytes.ok()) return bytes.status();
        grpc::Slice slice(*bytes);
        requests.emplace_back(&slice, 1);
      }
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
      for (const auto& [key, value] : metadata_) context.AddMetadata(key, value);
      grpc::ByteBuffer response;
      absl::Status status = FromGrpcStatus(method_->client_streaming()
                                               ? ClientStream(stub, context, path, requests, &response)
                                               : Unary(stub, context, path, requests.front(), &response));
      if (status.ok()) status = CheckResponse(response);
      ++codes[absl::StatusCodeToString(status.code())];
      if (!status.ok() && first_error_.ok()) first_error_ = status;
    }
    return codes;
  }

  const std::string& call() const { return call_; }
  const absl::Status& first_error() const { return first_error_; }

 private:
  static std::string ToJson(const Value& value) {
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(value, &json);
    return json;
  }

  // ghz's {{newUUID}}: a fresh UUID per call. Any other template is refused.
  absl::StatusOr<std::string> Serialize(const std::string& json) const {
    std::string filled = absl::StrReplaceAll(json, {{"{{newUUID}}", names::NewUuid()}});
    if (absl::StrContains(filled, "{{")) return absl::UnimplementedError(absl::StrCat(call_, ": only the {{newUUID}} template is supported"));
    std::unique_ptr<google::protobuf::Message> message(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(method_->input_type())->New());
    auto parsed = google::protobuf::util::JsonStringToMessage(filled, message.get());
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("data is not a valid ", method_->input_type()->full_name(), ": ", parsed.ToString()));
    }
    return message->SerializeAsString();
  }

  absl::Status CheckResponse(const grpc::ByteBuffer& response) const {
    std::vector<grpc::Slice> slices;
    if (!response.Dump(&slices).ok()) return absl::DataLossError("unreadable response");
    std::string bytes;
    for (const grpc::Slice& slice : slices) bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    std::unique_ptr<google::protobuf::Message> message(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(method_->output_type())->New());
    if (!message->ParseFromString(bytes)) return absl::DataLossError("response does not parse");
    return absl::OkStatus();
  }

  // Waits for the one operation in flight on `cq`.
  static bool Await(grpc::CompletionQueue& cq) {
    void* tag = nullptr;
    bool ok = false;
    return cq.Next(&tag, &ok) && ok;
  }

  static grpc::Status Unary(grpc::GenericStub& stub, grpc::ClientContext& context, const std::string& path,
                            const grpc::ByteBuffer& request, grpc::ByteBuffer* response) {
    grpc::CompletionQueue cq;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> call = stub.PrepareUnaryCall(&context, path, request, &cq);
    call->StartCall();
    grpc::Status status;
    call->Finish(response, &status, reinterpret_cast<void*>(1));
    (void)Await(cq);
    return status;
  }

  static grpc::Status ClientStream(grpc::GenericStub& stub, grpc::ClientContext& context, const std::string& path,
                                   const std::vector<grpc::ByteBuffer>& requests, grpc::ByteBuffer* response) {
    grpc::CompletionQueue cq;
    std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call = stub.PrepareCall(&context, path, &cq);
    void* tag = reinterpret_cast<void*>(1);
    call->StartCall(tag);
    bool open = Await(cq);
    for (const grpc::ByteBuffer& request : requests) {
      if (!open) break;
      call->Write(request, tag);
      open = Await(cq);
    }
    if (open) {
      call->WritesDone(tag);
      (void)Await(cq);
      call->Read(response, tag);
      (void)Await(cq);
    }
    grpc::Status status;
    call->Finish(&status, tag);
    (void)Await(cq);
    return status;
  }

  std::string host_, cacert_, call_;
  std::multimap<std::string, std::string> metadata_;
  std::vector<std::string> messages_json_;
  const google::protobuf::MethodDescriptor* method_ = nullptr;
  absl::Status first_error_;
};

int RunMain(const Flags& flags) {
  absl::StatusOr<Runner> runner = Runner::FromFile(flags.GetString("config"));
  if (!runner.ok()) {
    std::fprintf(stderr, "gaitkeeper-ghz: %s\n", runner.status().ToString().c_str());
    return 2;
  }
  const int calls = static_cast<int>(flags.GetInt("calls"));
  absl::StatusOr<std::map<std::string, int>> codes = runner->Run(calls);
  if (!codes.ok()) {
    std::fprintf(stderr, "gaitkeeper-ghz: %s\n", codes.status().ToString().c_str());
    return 2;
  }
  std::string summary;
  for (const auto& [code, count] : *codes) absl::StrAppend(&summary, " ", code, "=", count);
  absl::PrintF("ghz-run call=%s calls=%d%s\n", runner->call(), calls, summary);
  if (!runner->first_error().ok()) {
    std::fprintf(stderr, "first error: %s\n", std::string(runner->first_error().message()).c_str());
    return 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// fill: a real athlete with a scored and an open session, and the configurations for it.

absl::Status Fail(const char* step, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(step, ": ", status.message()));
}

// A session of the runner's athlete: open, or with a synthetic 10-minute run uploaded, completed
// and scored. Returns the session id.
absl::StatusOr<std::string> MakeSession(cli::Companion& app, const std::string& athlete, bool scored, int wait_s) {
  absl::StatusOr<ing::Session> session =
      app.CreateSession(names::Athlete(athlete), timeutil::NowMicros() - 2 * 3600LL * 1000000);
  if (!session.ok()) return Fail("CreateSession", session.status());
  if (scored) {
    synthetic::RunProfile profile;
    profile.duration_s = 10 * 60;
    if (absl::Status s = app.Upload(session->name(), synthetic::GenerateRun(profile), 60, 0).status(); !s.ok()) {
      return Fail("UploadSamples", s);
    }
    if (absl::Status s = app.Complete(session->name()).status(); !s.ok()) return Fail("CompleteSession", s);
    if (absl::Status s = app.WaitForScore(session->name(), wait_s).status(); !s.ok()) return Fail("GetSessionScore", s);
  }
  return std::string(session->name().substr(session->name().rfind('/') + 1));
}

// The template's text with the string value of top-level member `name` replaced (its layout is
// kept, so the filled file reads like the template). NotFound when there is no such member.
absl::StatusOr<std::string> ReplaceStringMember(const std::string& text, const std::string& name, const std::string& value) {
  const std::regex member(absl::StrCat("\"", name, "\"\\s*:\\s*\"[^\"]*\""));
  std::smatch match;
  if (!std::regex_search(text, match, member)) return absl::NotFoundError(absl::StrCat("no \"", name, "\" string member"));
  std::string escaped;
  for (char c : value) {
    if (c == '"' || c == '\\') escaped.push_back('\\');
    escaped.push_back(c);
  }
  return absl::StrCat(match.prefix().str(), "\"", name, "\": \"", escaped, "\"", match.suffix().str());
}

// One configuration with the placeholders filled and host and cacert set; InvalidArgument for a
// file that is not a ghz configuration of a Gaitkeeper call over TLS.
absl::StatusOr<std::string> Render(const std::string& path, const std::map<std::string, std::string>& values,
                                   const std::map<std::string, std::string>& hosts, const std::string& cacert) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  std::string filled = *text;
  for (const char* placeholder : kPlaceholders) filled = absl::StrReplaceAll(filled, {{placeholder, values.at(placeholder)}});
  absl::StatusOr<Struct> config = ParseJsonObject(filled, path);
  if (!config.ok()) return config.status();
  absl::StatusOr<std::string> call = StringField(*config, "call", path);
  if (!call.ok()) return call.status();
  absl::StatusOr<std::string> area = ServiceArea(*call);
  if (!area.ok()) return area.status();
  for (const auto& [name, value] : {std::pair<std::string, std::string>{"host", hosts.at(*area)}, {"cacert", cacert}}) {
    absl::StatusOr<std::string> replaced = ReplaceStringMember(filled, name, value);
    if (!replaced.ok()) return absl::InvalidArgumentError(absl::StrCat(path, ": ", replaced.status().message()));
    filled = *std::move(replaced);
  }
  // What ghz will read is what was meant.
  absl::StatusOr<Struct> check = ParseJsonObject(filled, path);
  if (!check.ok()) return check.status();
  if (StringField(*check, "host", path).value_or("") != hosts.at(*area) || StringField(*check, "cacert", path).value_or("") != cacert) {
    return absl::InternalError(absl::StrCat(path, ": host or cacert did not come out as set"));
  }
  return filled;
}

// Writes `text` to `path` readable by its owner only, from the first byte on (the text holds a
// live token); an existing file is truncated and made 0600, a symbolic link is refused.
absl::Status WritePrivateFile(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return absl::PermissionDeniedError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  bool ok = ::fchmod(fd, 0600) == 0;
  for (size_t written = 0; ok && written < text.size();) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  ok = (::close(fd) == 0) && ok;
  if (!ok) return absl::DataLossError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}

absl::Status Fill(const Flags& flags) {
  absl::StatusOr<cli::ClientAuth> client = cli::ClientAuth::FromFlags(flags);
  if (!client.ok()) return client.status();
  if (!client->mints()) return absl::InvalidArgumentError("fill mints the athlete's token: give --signing_keys (and --kid)");
  const fs::path configs = flags.GetString("configs");
  const fs::path out = flags.GetString("out");
  const std::map<std::string, std::string> hosts = {
      {"ingestion", flags.GetString("ingestion")}, {"scoring", flags.GetString("scoring")}, {"planning", flags.GetString("planning")}};
  // The configurations carry a cacert: the stack serves TLS only (docs/SECURITY.md).
  if (!client->tls()) return absl::InvalidArgumentError("fill writes TLS configurations: give --tls_ca");
  const std::string cacert = fs::absolute(flags.GetString("tls_ca")).string();

  const std::string athlete = names::NewUuid();
  std::shared_ptr<cli::CallerCredentials> credentials = client->CredentialsFor(athlete, auth::kRoleAthlete);
  absl::StatusOr<std::string> token = credentials->Token();
  if (!token.ok()) return token.status();
  std::map<std::string, std::string> values = {{"Bearer TOKEN", absl::StrCat("Bearer ", *token)},
                                               {"ATHLETE_ID", athlete},
                                               {"REQUEST_ID", names::NewUuid()},
                                               {"SESSION_ID", "SESSION_ID"},
                                               {"OPEN_SESSION_ID", "OPEN_SESSION_ID"}};
  std::vector<fs::path> files;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(configs, error)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  if (error) return absl::NotFoundError(absl::StrCat("cannot list ", configs.string(), ": ", error.message()));
  std::sort(files.begin(), files.end());
  fs::create_directories(out, error);
  if (error) return absl::PermissionDeniedError(absl::StrCat("cannot create ", out.string(), ": ", error.message()));

  // The athlete is created by the configuration that creates it (so that every later run of it is
  // the idempotent repeat the README describes).
  const fs::path create_athlete = configs / "create_athlete.json";
  {
    values["SESSION_ID"] = values["OPEN_SESSION_ID"] = names::NewUuid();  // not used by that file
    absl::StatusOr<std::string> text = Render(create_athlete.string(), values, hosts, cacert);
    if (!text.ok()) return text.status();
    if (absl::Status s = WritePrivateFile((out / "create_athlete.json").string(), *text); !s.ok()) return s;
    absl::StatusOr<Runner> runner = Runner::FromFile((out / "create_athlete.json").string());
    if (!runner.ok()) return runner.status();
    absl::StatusOr<std::map<std::string, int>> codes = runner->Run(1);
    if (!codes.ok()) return codes.status();
    if (!runner->first_error().ok()) return Fail("CreateAthlete", runner->first_error());
  }

  std::shared_ptr<grpc::Channel> channels[3];
  const char* const areas[3] = {"ingestion", "scoring", "planning"};
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client->Channel(hosts.at(areas[i]));
    if (!channel.ok()) return channel.status();
    channels[i] = *std::move(channel);
  }
  cli::Companion app(channels[0], channels[1], channels[2], credentials);
  const int wait_s = static_cast<int>(flags.GetInt("wait_s"));
  absl::StatusOr<std::string> scored = MakeSession(app, athlete, /*scored=*/true, wait_s);
  if (!scored.ok()) return scored.status();
  absl::StatusOr<std::string> open = MakeSession(app, athlete, /*scored=*/false, wait_s);
  if (!open.ok()) return open.status();
  values["SESSION_ID"] = *scored;
  values["OPEN_SESSION_ID"] = *open;
  for (const fs::path& file : files) {
    if (file.filename() == "create_athlete.json") continue;
    absl::StatusOr<std::string> text = Render(file.string(), values, hosts, cacert);
    if (!text.ok()) return text.status();
    if (absl::Status s = WritePrivateFile((out / file.filename()).string(), *text); !s.ok()) return s;
  }
  absl::PrintF("ghz configurations for athletes/%s (scored session %s, open session %s) written to %s: %d files,\n"
               "each with a bearer token for that athlete (%s), valid for %d s\n",
               athlete, *scored, *open, out.string(), files.size(), client->Describe(), flags.GetInt("token_ttl_s"));
  return absl::OkStatus();
}

}  // namespace
}  // namespace gaitkeeper::ghz

int main(int argc, char** argv) {
  using gaitkeeper::Flags;
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode != "fill" && mode != "run") {
    std::fprintf(stderr, "usage: gaitkeeper-ghz fill|run [--flags]\n");
    return 2;
  }
  Flags flags("gaitkeeper-ghz " + mode);
  gaitkeeper::cli::AddClientAuthFlags(flags);
  flags.AddString("configs", "GK_GHZ_CONFIGS", "bench/ghz", "fill: the directory of ghz configurations with placeholders");
  flags.AddString("out", "GK_GHZ_OUT", ".run/ghz", "fill: where the filled configurations are written");
  flags.AddString("ingestion", "GK_INGESTION_ADDRESS", "127.0.0.1:50051", "fill: ingestion service address");
  flags.AddString("scoring", "GK_SCORING_ADDRESS", "127.0.0.1:50052", "fill: scoring service address");
  flags.AddString("planning", "GK_PLANNING_ADDRESS", "127.0.0.1:50053", "fill: planning service address");
  flags.AddInt("wait_s", "GK_WAIT_S", 30, 1, 600, "fill: how long to wait for the session's score");
  flags.AddString("config", "GK_GHZ_CONFIG", "", "run: the filled configuration to run");
  flags.AddInt("calls", "GK_GHZ_CALLS", 1, 1, 100000, "run: how many calls, one after another");
  absl::Status parsed = flags.Parse(argc - 1, argv + 1);
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", std::string(parsed.message()).c_str());
    return 2;
  }
  if (mode == "run") return gaitkeeper::ghz::RunMain(flags);
  absl::Status filled = gaitkeeper::ghz::Fill(flags);
  if (!filled.ok()) {
    std::fprintf(stderr, "gaitkeeper-ghz fill: %s\n", filled.ToString().c_str());
    return 1;
  }
  return 0;
}
