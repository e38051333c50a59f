// Who may see what (docs/SECURITY.md), end to end: the three services with bearer tokens, TLS,
// mutual TLS between the services and a real PostgreSQL with row-level security.
//
//  - AccessTable: every RPC of every service x every role/ownership case, checking the code, and
//    that exactly one audit row is written per audited call (and none otherwise);
//  - every RPC x every authentication failure (no token, expired, bad signature, wrong audience,
//    unknown key id, service token without the service certificate) is UNAUTHENTICATED;
//  - a cross-tenant probe in raw SQL as the application role sees nothing outside its scope;
//  - the audit trail as athletes and clinic admins list it; abuse limits.
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "services/common/auth/jwt.h"
#include "services/common/auth/key_set.h"
#include "services/common/limits/limits.h"
#include "services/common/resource_names.h"
#include "services/common/status.h"
#include "services/common/time_util.h"
#include "services/common/tls/tls.h"
#include "tests/support/in_process_stack.h"
#include "tests/support/test_database.h"

namespace gaitkeeper {
namespace {

using testing::InProcessStack;
using testing::TestDatabase;
namespace ing = ingestion::v1;
namespace sc = scoring::v1;
namespace pl = planning::v1;

std::string MakeTempDir() {
  char tmpl[] = "/tmp/gk-security-XXXXXX";
  const char* dir = mkdtemp(tmpl);
  if (dir == nullptr) std::abort();
  return dir;
}

// Everything the tests share: certificates, keys, the stack and a small world of tenants.
struct World {
  std::string dir;
  TestDatabase* db = nullptr;
  std::unique_ptr<InProcessStack> stack;
  auth::KeySet signing;
  // Service-role stubs: TLS with the ingestion service's client certificate.
  std::unique_ptr<ing::IngestionService::Stub> svc_ingestion;
  std::unique_ptr<sc::ScoringService::Stub> svc_scoring;
  std::unique_ptr<pl::PlanningService::Stub> svc_planning;

  std::string a, b, p, u, r;       // athletes: own, other, linked patient, unlinked, revoked link
  std::string c1, c2, c3;          // clinics
  std::string k1, m1, x1, k2, m2;  // clinicians: C1 clinician, C1 admin, C1 spare, C2 clinician, C2 admin
  std::string a_session, p_session, a_plan, p_plan, a_link, p_link, r_link;

  std::string Mint(const std::string& subject, const std::string& role, const std::string& clinic = "",
                   const std::string& kid = "rs256-1", absl::Duration expires_in = absl::Minutes(10),
                   const std::string& audience = "gaitkeeper") const {
    auth::Key key = *signing.Find(kid == "unknown-9" ? "rs256-1" : kid);
    key.kid = kid;  // an unknown kid: signed with a real key under a name the services do not have
    auth::Claims claims;
    claims.subject = subject;
    claims.role = role;
    claims.clinic = clinic;
    claims.issuer = "gaitkeeper-test";
    claims.audience = {audience};
    claims.issued_at = absl::Now() - absl::Minutes(20);
    claims.expires_at = absl::Now() + expires_in;
    absl::StatusOr<std::string> token = auth::TokenSigner(key).Mint(claims);
    if (!token.ok()) std::abort();
    return *token;
  }
  std::string Service() const { return Mint("ingestion", "service", "", "es256-1"); }
};

World* g_world = nullptr;

std::unique_ptr<grpc::ClientContext> WithToken(const std::string& token) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  if (!token.empty()) c->AddMetadata("authorization", "Bearer " + token);
  return c;
}

template <typename T>
T MustOk(grpc::Status status, const T& value, const char* what) {  // value by reference: read after the call
  if (!status.ok()) {
    ADD_FAILURE() << what << ": " << status.error_code() << " " << status.error_message();
  }
  return value;
}

std::string IdOf(const std::string& name) { return name.substr(name.rfind('/') + 1); }

// The world is built through the API, as its actors would build it.
void BuildWorld(World& w) {
  auto& ingestion = w.stack->ingestion();
  auto& planning = w.stack->planning();
  auto clinic = [&](const char* name) {
    ing::CreateClinicRequest r;
    r.set_request_id(names::NewUuid());
    r.mutable_clinic()->set_display_name(name);
    ing::Clinic out;
    return IdOf(MustOk(w.svc_ingestion->CreateClinic(WithToken(w.Service()).get(), r, &out), out, "CreateClinic").name());
  };
  w.c1 = clinic("Clinic one");
  w.c2 = clinic("Clinic two");
  w.c3 = clinic("Clinic three");
  auto clinician = [&](const std::string& clinic_id, ing::ClinicianRole role) {
    ing::CreateClinicianRequest r;
    r.set_parent("clinics/" + clinic_id);
    r.set_request_id(names::NewUuid());
    r.mutable_clinician()->set_display_name("Physio");
    r.mutable_clinician()->set_role(role);
    ing::Clinician out;
    return IdOf(MustOk(w.svc_ingestion->CreateClinician(WithToken(w.Service()).get(), r, &out), out, "CreateClinician").name());
  };
  w.k1 = clinician(w.c1, ing::CLINICIAN_ROLE_CLINICIAN);
  w.m1 = clinician(w.c1, ing::CLINICIAN_ROLE_CLINIC_ADMIN);
  w.x1 = clinician(w.c1, ing::CLINICIAN_ROLE_CLINICIAN);
  w.k2 = clinician(w.c2, ing::CLINICIAN_ROLE_CLINICIAN);
  w.m2 = clinician(w.c2, ing::CLINICIAN_ROLE_CLINIC_ADMIN);
  for (std::string* athlete : {&w.a, &w.b, &w.p, &w.u, &w.r}) {
    *athlete = names::NewUuid();
    ing::CreateAthleteRequest r;
    r.set_request_id(names::NewUuid());
    r.mutable_athlete()->set_display_name("Runner");
    ing::Athlete out;
    EXPECT_EQ(IdOf(MustOk(ingestion.CreateAthlete(WithToken(w.Mint(*athlete, "athlete")).get(), r, &out), out, "CreateAthlete").name()), *athlete);
  }
  auto link = [&](const std::string& athlete, const std::string& clinic_id) {
    ing::CreateCareLinkRequest r;
    r.set_parent(names::Athlete(athlete));
    r.set_request_id(names::NewUuid());
    r.mutable_care_link()->set_clinic("clinics/" + clinic_id);
    ing::CareLink out;
    return MustOk(ingestion.CreateCareLink(WithToken(w.Mint(athlete, "athlete")).get(), r, &out), out, "CreateCareLink").name();
  };
  w.p_link = link(w.p, w.c1);
  w.a_link = link(w.a, w.c3);
  w.r_link = link(w.r, w.c1);
  {
    ing::RevokeCareLinkRequest r;
    r.set_name(w.r_link);
    ing::CareLink out;
    MustOk(ingestion.RevokeCareLink(WithToken(w.Mint(w.r, "athlete")).get(), r, &out), out, "RevokeCareLink");
  }
  auto session = [&](const std::string& athlete) {
    ing::CreateSessionRequest r;
    r.set_parent(names::Athlete(athlete));
    r.set_request_id(names::NewUuid());
    *r.mutable_session()->mutable_start_time() = timeutil::FromMicros(timeutil::NowMicros() - 3600LL * 1000000);
    ing::Session out;
    return MustOk(ingestion.CreateSession(WithToken(w.Mint(athlete, "athlete")).get(), r, &out), out, "CreateSession").name();
  };
  w.a_session = session(w.a);
  w.p_session = session(w.p);
  auto plan = [&](const std::string& athlete) {
    pl::GeneratePlanRequest r;
    r.set_parent(names::Athlete(athlete));
    r.set_request_id(names::NewUuid());
    pl::Plan out;
    return MustOk(planning.GeneratePlan(WithToken(w.Mint(athlete, "athlete")).get(), r, &out), out, "GeneratePlan").name();
  };
  w.a_plan = plan(w.a);
  w.p_plan = plan(w.p);
}

// What one call is about: an athlete's resources, or a clinic.
struct Target {
  std::string athlete, session, plan, link, clinic, clinician;
};

Target AthleteResources(const World& w, const std::string& athlete) {
  Target t;
  t.athlete = athlete;
  t.session = athlete == w.a ? w.a_session : athlete == w.p ? w.p_session : names::Session(athlete, names::NewUuid());
  t.plan = athlete == w.a ? w.a_plan : athlete == w.p ? w.p_plan : names::Plan(athlete, names::NewUuid());
  t.link = athlete == w.a ? w.a_link : athlete == w.p ? w.p_link : athlete == w.r ? w.r_link
                                                                                  : names::Athlete(athlete) + "/careLinks/" + names::NewUuid();
  t.clinic = w.c1;
  t.clinician = w.x1;
  return t;
}

struct Stubs {
  ing::IngestionService::Stub* ingestion;
  sc::ScoringService::Stub* scoring;
  pl::PlanningService::Stub* planning;
};

using Invoke = std::function<grpc::Status(const Stubs&, const std::string& token, const Target&)>;

ing::DynamicsSample OneSample() {
  ing::DynamicsSample s;
  s.set_offset_ms(0);
  s.set_cadence_spm(165);
  s.set_speed_mps(2.8f);
  return s;
}

// Every RPC of the three services, with a request about `Target`.
std::vector<std::pair<std::string, Invoke>> AllRpcs() {
  std::vector<std::pair<std::string, Invoke>> rpcs;
#define GK_UNARY(service, Method, Request, Response, fill)                                     \
  rpcs.emplace_back(#Method, [](const Stubs& s, const std::string& token, [[maybe_unused]] const Target& t) { \
    Request r;                                                                                \
    fill;                                                                                     \
    Response out;                                                                             \
    return s.service->Method(WithToken(token).get(), r, &out);                                \
  })
  GK_UNARY(ingestion, CreateAthlete, ing::CreateAthleteRequest, ing::Athlete,
           (r.set_request_id(names::NewUuid()), r.mutable_athlete()->set_display_name("x")));
  GK_UNARY(ingestion, GetAthlete, ing::GetAthleteRequest, ing::Athlete, r.set_name(names::Athlete(t.athlete)));
  GK_UNARY(ingestion, UpdateAthlete, ing::UpdateAthleteRequest, ing::Athlete,
           (r.mutable_athlete()->set_name(names::Athlete(t.athlete)), r.mutable_athlete()->set_display_name("y"),
            r.mutable_update_mask()->add_paths("display_name")));
  GK_UNARY(ingestion, CreateSession, ing::CreateSessionRequest, ing::Session,
           (r.set_parent(names::Athlete(t.athlete)), r.set_request_id(names::NewUuid()),
            *r.mutable_session()->mutable_start_time() = timeutil::FromMicros(timeutil::NowMicros() - 7200LL * 1000000)));
  GK_UNARY(ingestion, GetSession, ing::GetSessionRequest, ing::Session, r.set_name(t.session));
  GK_UNARY(ingestion, ListSessions, ing::ListSessionsRequest, ing::ListSessionsResponse, r.set_parent(names::Athlete(t.athlete)));
  rpcs.emplace_back("UploadSamples", [](const Stubs& s, const std::string& token, const Target& t) {
    ing::UploadSamplesResponse out;
    auto context = WithToken(token);
    auto writer = s.ingestion->UploadSamples(context.get(), &out);
    ing::UploadSamplesRequest batch;
    batch.set_session(t.session);
    batch.set_sequence(1);
    *batch.add_samples() = OneSample();
    writer->Write(batch);
    writer->WritesDone();
    return writer->Finish();
  });
  rpcs.emplace_back("UploadImuSamples", [](const Stubs& s, const std::string& token, const Target& t) {
    ing::UploadImuSamplesResponse out;
    auto context = WithToken(token);
    auto writer = s.ingestion->UploadImuSamples(context.get(), &out);
    ing::UploadImuSamplesRequest batch;
    batch.set_session(t.session);
    batch.set_sequence(1);
    writer->Write(batch);
    writer->WritesDone();
    return writer->Finish();
  });
  GK_UNARY(ingestion, GetUploadState, ing::GetUploadStateRequest, ing::UploadState, r.set_session(t.session));
  rpcs.emplace_back("ReadSamples", [](const Stubs& s, const std::string& token, const Target& t) {
    ing::ReadSamplesRequest r;
    r.set_session(t.session);
    auto context = WithToken(token);
    auto reader = s.ingestion->ReadSamples(context.get(), r);
    ing::ReadSamplesResponse message;
    while (reader->Read(&message)) {
    }
    return reader->Finish();
  });
  rpcs.emplace_back("ImportActivity", [](const Stubs& s, const std::string& token, const Target& t) {
    ing::ImportActivityResponse out;
    auto context = WithToken(token);
    auto writer = s.ingestion->ImportActivity(context.get(), &out);
    ing::ImportActivityRequest first;
    first.mutable_metadata()->set_parent(names::Athlete(t.athlete));
    first.mutable_metadata()->set_request_id(names::NewUuid());
    first.mutable_metadata()->set_format(ing::FILE_FORMAT_FIT);
    writer->Write(first);
    writer->WritesDone();
    return writer->Finish();
  });
  GK_UNARY(ingestion, CompleteSession, ing::CompleteSessionRequest, ing::Session, r.set_name(t.session));
  GK_UNARY(ingestion, CreatePainReport, ing::CreatePainReportRequest, ing::PainReport,
           (r.set_parent(names::Athlete(t.athlete)), r.set_request_id(names::NewUuid())));
  GK_UNARY(ingestion, ListPainReports, ing::ListPainReportsRequest, ing::ListPainReportsResponse, r.set_parent(names::Athlete(t.athlete)));
  GK_UNARY(ingestion, CreateQuestionnaireResponse, ing::CreateQuestionnaireResponseRequest, ing::QuestionnaireResponse,
           (r.set_parent(names::Athlete(t.athlete)), r.set_request_id(names::NewUuid())));
  GK_UNARY(ingestion, ListQuestionnaireResponses, ing::ListQuestionnaireResponsesRequest, ing::ListQuestionnaireResponsesResponse,
           r.set_parent(names::Athlete(t.athlete)));
  GK_UNARY(ingestion, CreateClinic, ing::CreateClinicRequest, ing::Clinic,
           (r.set_request_id(names::NewUuid()), r.mutable_clinic()->set_display_name("New clinic")));
  GK_UNARY(ingestion, CreateClinician, ing::CreateClinicianRequest, ing::Clinician,
           (r.set_parent("clinics/" + t.clinic), r.set_request_id(names::NewUuid()),
            r.mutable_clinician()->set_display_name("New"), r.mutable_clinician()->set_role(ing::CLINICIAN_ROLE_CLINICIAN)));
  GK_UNARY(ingestion, ListClinicians, ing::ListCliniciansRequest, ing::ListCliniciansResponse, r.set_parent("clinics/" + t.clinic));
  GK_UNARY(ingestion, DisableClinician, ing::DisableClinicianRequest, ing::Clinician,
           r.set_name(absl::StrCat("clinics/", t.clinic, "/clinicians/", t.clinician)));
  GK_UNARY(ingestion, ListAuditEvents, ing::ListAuditEventsRequest, ing::ListAuditEventsResponse,
           r.set_parent(t.athlete.empty() ? "clinics/" + t.clinic : names::Athlete(t.athlete)));
  GK_UNARY(ingestion, CreateCareLink, ing::CreateCareLinkRequest, ing::CareLink,
           (r.set_parent(names::Athlete(t.athlete)), r.set_request_id(names::NewUuid()),
            r.mutable_care_link()->set_clinic("clinics/" + t.clinic)));
  GK_UNARY(ingestion, ListCareLinks, ing::ListCareLinksRequest, ing::ListCareLinksResponse,
           r.set_parent(t.athlete.empty() ? "clinics/" + t.clinic : names::Athlete(t.athlete)));
  GK_UNARY(scoring, ScoreSession, sc::ScoreSessionRequest, sc::GaitScore, r.set_session(t.session));
  GK_UNARY(scoring, GetSessionScore, sc::GetSessionScoreRequest, sc::GaitScore, r.set_session(t.session));
  GK_UNARY(scoring, ListScores, sc::ListScoresRequest, sc::ListScoresResponse, r.set_parent(names::Athlete(t.athlete)));
  GK_UNARY(scoring, GetRunnerSummary, sc::GetRunnerSummaryRequest, sc::RunnerSummary, r.set_parent(names::Athlete(t.athlete)));
  GK_UNARY(planning, GeneratePlan, pl::GeneratePlanRequest, pl::Plan,
           (r.set_parent(names::Athlete(t.athlete)), r.set_request_id(names::NewUuid())));
  GK_UNARY(planning, GetCurrentPlan, pl::GetCurrentPlanRequest, pl::Plan, r.set_parent(names::Athlete(t.athlete)));
  GK_UNARY(planning, ListPlans, pl::ListPlansRequest, pl::ListPlansResponse, r.set_parent(names::Athlete(t.athlete)));
  GK_UNARY(planning, ReviewPlan, pl::ReviewPlanRequest, pl::Plan,
           (r.set_name(t.plan), r.set_request_id(names::NewUuid()), r.set_action(pl::REVIEW_ACTION_APPROVE)));
  GK_UNARY(planning, ListPlanReviews, pl::ListPlanReviewsRequest, pl::ListPlanReviewsResponse, r.set_plan(t.plan));
  GK_UNARY(planning, LogCompletion, pl::LogCompletionRequest, pl::CompletionLog,
           (r.set_parent(t.plan), r.set_request_id(names::NewUuid())));
  GK_UNARY(planning, GetAdherence, pl::GetAdherenceRequest, pl::AdherenceSummary, r.set_plan(t.plan));
  GK_UNARY(planning, SetClinicianConstraints, pl::SetClinicianConstraintsRequest, pl::ClinicianConstraints,
           (r.set_parent(names::Athlete(t.athlete)), r.mutable_constraints()->set_max_run_km(5)));
  GK_UNARY(planning, GetClinicianConstraints, pl::GetClinicianConstraintsRequest, pl::ClinicianConstraints,
           r.set_parent(names::Athlete(t.athlete)));
  // Last: an allowed revocation changes the world.
  GK_UNARY(ingestion, RevokeCareLink, ing::RevokeCareLinkRequest, ing::CareLink, r.set_name(t.link));
#undef GK_UNARY
  return rpcs;
}

// The cases, in column order of the expectation strings below.
enum Case { kOwn, kOtherAthlete, kLinked, kUnlinked, kRevoked, kOtherClinic, kClinicAdmin, kOtherClinicAdmin, kServiceRole, kCases };
constexpr const char* kCaseNames[kCases] = {"own", "other athlete", "linked patient", "unlinked patient", "revoked link",
                                            "other clinic", "clinic admin", "other clinic's admin", "service"};

// Expected outcome per case: O = allowed (any answer but a denial), N = NOT_FOUND (outside the
// caller's tenancy, reason NOT_FOUND), P = PERMISSION_DENIED. Written out by hand from the
// issue's rules, not derived from the policy tables. `clinic` rows target clinic C1 instead of
// an athlete.
struct Expectation {
  const char* method;
  bool clinic;
  const char* outcomes;
};
constexpr Expectation kExpectations[] = {
    //                                       own other linked unlinked revoked otherclinic admin otheradmin service
    {"CreateAthlete", false, "OOPPPPPPP"},  // an athlete always creates themself (id = token subject)
    {"GetAthlete", false, "ONONNNPPP"},
    {"UpdateAthlete", false, "ONPPPPPPP"},
    {"CreateSession", false, "ONPPPPPPP"},
    {"GetSession", false, "ONONNNPPP"},
    {"ListSessions", false, "ONONNNPPP"},
    {"UploadSamples", false, "ONPPPPPPP"},
    {"UploadImuSamples", false, "ONPPPPPPP"},
    {"GetUploadState", false, "ONPPPPPPP"},
    {"ReadSamples", false, "ONONNNPPP"},
    {"ImportActivity", false, "ONPPPPPPP"},
    {"CompleteSession", false, "ONPPPPPPP"},
    {"CreatePainReport", false, "ONPPPPPPP"},
    {"ListPainReports", false, "ONONNNPPP"},
    {"CreateQuestionnaireResponse", false, "ONPPPPPPP"},
    {"ListQuestionnaireResponses", false, "ONONNNPPP"},
    {"CreateClinic", true, "PPPPPPPPO"},
    {"CreateClinician", true, "PPPPPPONO"},
    {"ListClinicians", true, "PPPPPPONP"},
    {"DisableClinician", true, "PPPPPPONP"},
    {"ListAuditEvents", false, "ONPPPPPPP"},
    {"ListAuditEvents", true, "PPPPPPONP"},
    {"CreateCareLink", false, "ONPPPPPPP"},
    {"ListCareLinks", false, "ONPPPPPPP"},
    {"ListCareLinks", true, "PPOOONONP"},
    {"ScoreSession", false, "PPPPPPPPO"},
    {"GetSessionScore", false, "ONONNNPPP"},
    {"ListScores", false, "ONONNNPPP"},
    {"GetRunnerSummary", false, "ONONNNPPP"},
    {"GeneratePlan", false, "ONPPPPPPO"},
    {"GetCurrentPlan", false, "ONONNNPPP"},
    {"ListPlans", false, "ONONNNPPP"},
    {"ReviewPlan", false, "PPONNNPPP"},
    {"ListPlanReviews", false, "ONONNNPPP"},
    {"LogCompletion", false, "ONPPPPPPP"},
    {"GetAdherence", false, "ONONNNPPP"},
    {"SetClinicianConstraints", false, "PPONNNPPP"},
    {"GetClinicianConstraints", false, "ONONNNPPP"},
    {"RevokeCareLink", false, "ONPPPPONP"},
};

char Classify(const grpc::Status& status) {
  const absl::Status s = FromGrpcStatus(status);
  if (s.code() == absl::StatusCode::kUnauthenticated) return 'U';
  if (s.code() == absl::StatusCode::kPermissionDenied) return 'P';
  if (s.code() == absl::StatusCode::kNotFound && ReasonOf(s) == "NOT_FOUND") return 'N';
  return 'O';
}

int64_t AuditRows(const World& w) {
  pqxx::connection c(w.db->owner_url());
  pqxx::work tx(c);
  return tx.exec1("SELECT count(*) FROM audit_events")[0].as<int64_t>();
}

class SecurityTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    TestDatabase* db = TestDatabase::Shared();
    if (db == nullptr) return;
    auto* w = new World;
    w->db = db;
    w->dir = MakeTempDir();
    const std::string scripts = std::string(GK_SOURCE_DIR) + "/scripts/";
    if (std::system((scripts + "gen-dev-certs.sh " + w->dir + "/certs >/dev/null").c_str()) != 0 ||
        std::system((scripts + "gen-dev-keys.sh " + w->dir + "/keys >/dev/null").c_str()) != 0) {
      std::abort();
    }
    w->signing = *auth::LoadKeySet(w->dir + "/keys/signing.keys", auth::KeyUse::kSign);
    InProcessStack::Security security;
    security.certs_dir = w->dir + "/certs";
    security.keys_dir = w->dir + "/keys";
    security.limits.write_limit = {.tokens_per_second = 1e6, .burst = 1e6};
    security.limits.upload_limit = {.tokens_per_second = 1e6, .burst = 1e6};
    security.limits.max_streams_per_caller = 1000;
    w->stack = std::make_unique<InProcessStack>(db->app_url(), security);
    auto credentials = *tls::MakeChannelCredentials(
        {.ca_file = w->dir + "/certs/ca.crt", .cert_file = w->dir + "/certs/ingestion.crt", .key_file = w->dir + "/certs/ingestion.key"},
        "localhost:1");
    w->svc_ingestion = ing::IngestionService::NewStub(grpc::CreateChannel(testing::Localhost(w->stack->ingestion_port()), credentials));
    w->svc_scoring = sc::ScoringService::NewStub(grpc::CreateChannel(testing::Localhost(w->stack->scoring_port()), credentials));
    w->svc_planning = pl::PlanningService::NewStub(grpc::CreateChannel(testing::Localhost(w->stack->planning_port()), credentials));
    BuildWorld(*w);
    g_world = w;
  }

  void SetUp() override {
    if (g_world == nullptr) {
      if (std::getenv("GK_TEST_REQUIRE_DB") != nullptr) FAIL() << "no test database";
      GTEST_SKIP() << "no PostgreSQL configured (run ./scripts/test.sh): skipped";
    }
  }

  Stubs UserStubs() const { return {&g_world->stack->ingestion(), &g_world->stack->scoring(), &g_world->stack->planning()}; }
  Stubs ServiceStubs() const { return {g_world->svc_ingestion.get(), g_world->svc_scoring.get(), g_world->svc_planning.get()}; }
};

TEST_F(SecurityTest, AccessTableEveryRpcEveryRoleAndOwnership) {
  const World& w = *g_world;
  std::map<std::string, Invoke> rpcs;
  for (auto& [name, invoke] : AllRpcs()) rpcs[name] = invoke;
  // Every RPC of the three services is in the table.
  std::set<std::string> covered;
  for (const Expectation& e : kExpectations) covered.insert(e.method);
  for (const char* name : {"gaitkeeper.ingestion.v1.IngestionService", "gaitkeeper.scoring.v1.ScoringService",
                           "gaitkeeper.planning.v1.PlanningService"}) {
    const google::protobuf::ServiceDescriptor* service =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      EXPECT_TRUE(covered.count(service->method(i)->name())) << service->method(i)->name() << " is not in the access table";
    }
  }
  int audited_calls = 0;
  for (const Expectation& e : kExpectations) {
    ASSERT_TRUE(rpcs.count(e.method)) << e.method;
    for (int c = 0; c < kCases; ++c) {
      // Who calls, about whom.
      std::string token;
      std::string athlete;
      Stubs stubs = UserStubs();
      switch (c) {
        case kOwn: token = w.Mint(w.a, "athlete"); athlete = w.a; break;
        case kOtherAthlete: token = w.Mint(w.b, "athlete"); athlete = w.a; break;
        case kLinked: token = w.Mint(w.k1, "clinician", w.c1); athlete = w.p; break;
        case kUnlinked: token = w.Mint(w.k1, "clinician", w.c1); athlete = w.u; break;
        case kRevoked: token = w.Mint(w.k1, "clinician", w.c1); athlete = w.r; break;
        case kOtherClinic: token = w.Mint(w.k2, "clinician", w.c2); athlete = w.p; break;
        case kClinicAdmin: token = w.Mint(w.m1, "clinic_admin", w.c1); athlete = w.p; break;
        case kOtherClinicAdmin: token = w.Mint(w.m2, "clinic_admin", w.c2); athlete = w.p; break;
        case kServiceRole: token = w.Service(); athlete = w.a; stubs = ServiceStubs(); break;
      }
      Target target = AthleteResources(w, athlete);
      if (e.clinic) target.athlete.clear();
      const char expected = e.outcomes[c];
      const bool is_staff = c >= kLinked && c <= kOtherClinicAdmin;
      const bool audited = is_staff && !e.clinic && expected != 'P';
      const int64_t before = AuditRows(w);
      const grpc::Status status = rpcs[e.method](stubs, token, target);
      EXPECT_EQ(Classify(status), expected)
          << e.method << (e.clinic ? " (clinic)" : "") << " as " << kCaseNames[c] << ": code " << status.error_code()
          << " " << status.error_message();
      EXPECT_EQ(AuditRows(w) - before, audited ? 1 : 0)
          << "audit rows for " << e.method << " as " << kCaseNames[c];
      audited_calls += audited ? 1 : 0;
    }
  }
  EXPECT_EQ(audited_calls, 66);  // the O and N cells of the staff columns of athlete rows
}

TEST_F(SecurityTest, EveryRpcRefusesCallsWithoutAValidToken) {
  const World& w = *g_world;
  const std::string good = w.Mint(w.a, "athlete");
  std::string tampered = good;
  tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
  const std::vector<std::pair<std::string, std::string>> bad_tokens = {
      {"no token", ""},
      {"expired", w.Mint(w.a, "athlete", "", "rs256-1", -absl::Minutes(5))},
      {"bad signature", tampered},
      {"wrong audience", w.Mint(w.a, "athlete", "", "rs256-1", absl::Minutes(10), "someone-else")},
      {"unknown key id", w.Mint(w.a, "athlete", "", "unknown-9")},
      {"user key signing a service token", w.Mint("ingestion", "service", "", "rs256-1")},
      {"service token without the service certificate", w.Service()},
  };
  const int64_t before = AuditRows(w);
  for (auto& [name, invoke] : AllRpcs()) {
    for (const auto& [what, token] : bad_tokens) {
      const grpc::Status status = invoke(UserStubs(), token, AthleteResources(w, w.a));
      EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << name << " with " << what << ": " << status.error_message();
    }
  }
  EXPECT_EQ(AuditRows(w), before);
  // A disabled clinician's still valid token is refused.
  ing::DisableClinicianRequest disable;
  disable.set_name(absl::StrCat("clinics/", w.c1, "/clinicians/", w.x1));
  ing::Clinician out;
  ASSERT_TRUE(w.stack->ingestion().DisableClinician(WithToken(w.Mint(w.m1, "clinic_admin", w.c1)).get(), disable, &out).ok());
  ing::GetAthleteRequest get;
  get.set_name(names::Athlete(w.p));
  ing::Athlete athlete;
  const grpc::Status status = w.stack->ingestion().GetAthlete(WithToken(w.Mint(w.x1, "clinician", w.c1)).get(), get, &athlete);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ReasonOf(FromGrpcStatus(status)), "CLINICIAN_NOT_ACTIVE");
}

// Bypassing the services: raw SQL as the application role sees nothing outside the scope set
// for the transaction, and nothing at all without one.
TEST_F(SecurityTest, RawSqlAsTheApplicationRoleSeesOnlyItsScope) {
  const World& w = *g_world;
  const std::vector<std::string> athlete_tables = {
      "athletes", "sessions", "session_sample_chunks", "imu_streams", "imu_chunks", "activity_files", "pain_reports",
      "questionnaire_responses", "gait_scores", "plans", "plan_reviews", "completion_logs", "clinician_constraints",
      "care_links", "clinicians", "audit_events"};
  pqxx::connection owner(w.db->owner_url());
  pqxx::connection app(w.db->app_url());
  {
    pqxx::work o(owner);
    EXPECT_GE(o.exec1("SELECT count(*) FROM sessions")[0].as<int>(), 2);  // the data exists
    EXPECT_GE(o.exec1("SELECT count(DISTINCT athlete_id) FROM plans")[0].as<int>(), 2);
  }
  {
    pqxx::work tx(app);  // no scope
    for (const std::string& table : athlete_tables) {
      EXPECT_EQ(tx.exec1("SELECT count(*) FROM " + tx.quote_name(table))[0].as<int>(), 0) << table << " without a scope";
    }
  }
  {
    pqxx::work tx(app);
    tx.exec_params("SELECT set_config('gaitkeeper.athlete_id', $1, true)", w.a);
    EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM sessions WHERE athlete_id <> $1", w.a)[0].as<int>(), 0);
    EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM sessions WHERE athlete_id = $1", w.p)[0].as<int>(), 0);
    EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM plans WHERE athlete_id = $1", w.p)[0].as<int>(), 0);
    EXPECT_GE(tx.exec_params1("SELECT count(*) FROM sessions WHERE athlete_id = $1", w.a)[0].as<int>(), 1);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM athletes")[0].as<int>(), 1);
    EXPECT_EQ(tx.exec_params0("UPDATE plans SET state = state WHERE athlete_id = $1", w.p).affected_rows(), 0u);
    EXPECT_EQ(tx.exec_params0("DELETE FROM care_links WHERE athlete_id = $1", w.p).affected_rows(), 0u);
  }
  {
    pqxx::work tx(app);
    tx.exec_params("SELECT set_config('gaitkeeper.athlete_id', $1, true)", w.a);
    EXPECT_THROW(tx.exec_params("INSERT INTO pain_reports (id, athlete_id, request_id, request_hash, report_date, pain_after) "
                                "VALUES (gen_random_uuid(), $1, gen_random_uuid(), '\\x00', current_date, 3)",
                                w.p),
                 pqxx::sql_error);
  }
  {
    pqxx::work tx(app);  // a clinic scope shows that clinic's links and clinicians only
    tx.exec_params("SELECT set_config('gaitkeeper.clinic_id', $1, true)", w.c2);
    EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM care_links WHERE clinic_id <> $1", w.c2)[0].as<int>(), 0);
    EXPECT_EQ(tx.exec_params1("SELECT count(*) FROM clinicians WHERE clinic_id <> $1", w.c2)[0].as<int>(), 0);
    EXPECT_EQ(tx.exec1("SELECT count(*) FROM sessions")[0].as<int>(), 0);
  }
  {
    pqxx::work tx(app);  // the audit trail is append-only
    EXPECT_THROW(tx.exec("UPDATE audit_events SET outcome = 'OK'"), pqxx::sql_error);
  }
  {
    pqxx::work tx(app);
    EXPECT_THROW(tx.exec("DELETE FROM audit_events"), pqxx::sql_error);
  }
}

TEST_F(SecurityTest, AthletesAndClinicAdminsListTheAuditTrail) {
  const World& w = *g_world;
  // A new patient links to clinic one, and a clinician there reads their sessions.
  const std::string q = names::NewUuid();
  {
    ing::CreateAthleteRequest create;
    create.set_request_id(names::NewUuid());
    ing::Athlete athlete;
    ASSERT_TRUE(w.stack->ingestion().CreateAthlete(WithToken(w.Mint(q, "athlete")).get(), create, &athlete).ok());
    ing::CreateCareLinkRequest link;
    link.set_parent(names::Athlete(q));
    link.set_request_id(names::NewUuid());
    link.mutable_care_link()->set_clinic("clinics/" + w.c1);
    ing::CareLink out;
    ASSERT_TRUE(w.stack->ingestion().CreateCareLink(WithToken(w.Mint(q, "athlete")).get(), link, &out).ok());
  }
  ing::ListSessionsRequest list;
  list.set_parent(names::Athlete(q));
  ing::ListSessionsResponse sessions;
  ASSERT_TRUE(w.stack->ingestion().ListSessions(WithToken(w.Mint(w.k1, "clinician", w.c1)).get(), list, &sessions).ok());
  // The patient sees it, newest first, with who, role, clinic, RPC and outcome.
  ing::ListAuditEventsRequest mine;
  mine.set_parent(names::Athlete(q));
  ing::ListAuditEventsResponse events;
  ASSERT_TRUE(w.stack->ingestion().ListAuditEvents(WithToken(w.Mint(q, "athlete")).get(), mine, &events).ok());
  ASSERT_FALSE(events.audit_events().empty());
  const ing::AuditEvent& latest = events.audit_events(0);
  EXPECT_EQ(latest.actor(), w.k1);
  EXPECT_EQ(latest.actor_role(), "clinician");
  EXPECT_EQ(latest.actor_clinic(), "clinics/" + w.c1);
  EXPECT_EQ(latest.athlete(), names::Athlete(q));
  EXPECT_EQ(latest.service(), "ingestion");
  EXPECT_EQ(latest.method(), "ListSessions");
  EXPECT_EQ(latest.outcome(), "OK");
  EXPECT_EQ(events.audit_events_size(), 1);
  for (const ing::AuditEvent& e : events.audit_events()) EXPECT_EQ(e.athlete(), names::Athlete(q));
  // The clinic admin sees what the clinic's clinicians did, and only that.
  ing::ListAuditEventsRequest clinic;
  clinic.set_parent("clinics/" + w.c1);
  clinic.set_page_size(1000);
  ing::ListAuditEventsResponse clinic_events;
  ASSERT_TRUE(w.stack->ingestion().ListAuditEvents(WithToken(w.Mint(w.m1, "clinic_admin", w.c1)).get(), clinic, &clinic_events).ok());
  ASSERT_FALSE(clinic_events.audit_events().empty());
  for (const ing::AuditEvent& e : clinic_events.audit_events()) EXPECT_EQ(e.actor_clinic(), "clinics/" + w.c1);
  // Another clinic's admin cannot list it.
  ing::ListAuditEventsResponse none;
  EXPECT_EQ(w.stack->ingestion().ListAuditEvents(WithToken(w.Mint(w.m2, "clinic_admin", w.c2)).get(), clinic, &none).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(SecurityTest, ServicesHandOffWithServiceTokensOverMutualTls) {
  const World& w = *g_world;
  // A completed session is scored through ingestion's outbox (service token + client cert).
  ing::CompleteSessionRequest complete;
  complete.set_name(w.a_session);
  ing::Session done;
  const grpc::Status completed = w.stack->ingestion().CompleteSession(WithToken(w.Mint(w.a, "athlete")).get(), complete, &done);
  ASSERT_TRUE(completed.ok() || completed.error_code() == grpc::StatusCode::FAILED_PRECONDITION) << completed.error_message();
  EXPECT_EQ(w.stack->DeliverPending(), 0);
}

// Abuse limits: a stack of its own with small limits.
TEST_F(SecurityTest, WritesAndStreamsAreLimitedPerCaller) {
  const World& w = *g_world;
  InProcessStack::Security security;
  security.certs_dir = w.dir + "/certs";
  security.keys_dir = w.dir + "/keys";
  security.limits.write_limit = {.tokens_per_second = 0.01, .burst = 3};  // no refill during the test
  security.limits.upload_limit = {.tokens_per_second = 0.5, .burst = 10};
  security.limits.max_streams_per_caller = 1;
  InProcessStack stack(w.db->app_url(), security);
  const std::string token = w.Mint(w.a, "athlete");
  auto write = [&] {
    ing::CreatePainReportRequest r;
    r.set_parent(names::Athlete(w.a));
    r.set_request_id(names::NewUuid());
    ing::PainReport out;
    return stack.ingestion().CreatePainReport(WithToken(token).get(), r, &out);
  };
  for (int i = 0; i < 3; ++i) EXPECT_NE(write().error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << i;
  const absl::Status limited = FromGrpcStatus(write());
  EXPECT_EQ(limited.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ReasonOf(limited), "RATE_LIMITED");
  ASSERT_TRUE(limits::RetryDelayOf(limited).has_value());
  EXPECT_GT(*limits::RetryDelayOf(limited), absl::ZeroDuration());
  // Another caller is not affected.
  ing::ListSessionsRequest list;
  list.set_parent(names::Athlete(w.b));
  ing::ListSessionsResponse sessions;
  EXPECT_TRUE(stack.ingestion().ListSessions(WithToken(w.Mint(w.b, "athlete")).get(), list, &sessions).ok());
  // One open stream per caller: the second is refused while the first is open. The first
  // stream holds its permit from the moment its handler starts; a committed batch proves the
  // server is inside that handler (the client's Write alone does not: the call may still be
  // in flight, and a second stream opened now could take the permit first). A session of its
  // own (made through the suite's unlimited stack), so no other test's batches count.
  ing::CreateSessionRequest create;
  create.set_parent(names::Athlete(w.a));
  create.set_request_id(names::NewUuid());
  *create.mutable_session()->mutable_start_time() = timeutil::FromMicros(timeutil::NowMicros() - 3600LL * 1000000);
  ing::Session fresh;
  ASSERT_TRUE(w.stack->ingestion().CreateSession(WithToken(token).get(), create, &fresh).ok());
  ing::UploadSamplesResponse first_response;
  auto first_context = WithToken(token);
  auto first = stack.ingestion().UploadSamples(first_context.get(), &first_response);
  ing::UploadSamplesRequest batch;
  batch.set_session(fresh.name());
  batch.set_sequence(1);
  *batch.add_samples() = OneSample();
  ASSERT_TRUE(first->Write(batch));
  ing::GetUploadStateRequest state_request;
  state_request.set_session(fresh.name());
  ing::UploadState state;
  for (int attempt = 0; attempt < 500 && state.last_committed_sequence() < 1; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ASSERT_TRUE(stack.ingestion().GetUploadState(WithToken(token).get(), state_request, &state).ok());
  }
  ASSERT_EQ(state.last_committed_sequence(), 1) << "the first stream's batch was never committed";
  auto open_stream = [&] {
    ing::UploadSamplesResponse response;
    auto context = WithToken(token);
    auto writer = stack.ingestion().UploadSamples(context.get(), &response);
    writer->WritesDone();
    return FromGrpcStatus(writer->Finish());
  };
  const absl::Status second = open_stream();
  EXPECT_EQ(second.code(), absl::StatusCode::kResourceExhausted) << second;
  EXPECT_EQ(ReasonOf(second), "TOO_MANY_STREAMS") << second;
  ASSERT_TRUE(limits::RetryDelayOf(second).has_value());
  first->WritesDone();
  const grpc::Status first_done = first->Finish();
  EXPECT_TRUE(first_done.ok()) << first_done.error_message();
  EXPECT_EQ(first_response.batches_committed(), 1);
  // Once the first stream has ended its permit is free again: the next stream gets past the
  // limit (and is refused only for carrying no batch).
  const absl::Status third = open_stream();
  EXPECT_EQ(ReasonOf(third), "INVALID_SAMPLES") << third;
}

}  // namespace
}  // namespace gaitkeeper
