// TLS credentials: the loopback rule, file checks, and real handshakes against an in-process
// server using certificates made by scripts/gen-dev-certs.sh.

#include "services/common/tls/tls.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"

namespace gaitkeeper::tls {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// IsLoopbackAddress

TEST(IsLoopbackAddressTest, Table) {
  struct Case {
    const char* address;
    bool loopback;
  };
  const Case cases[] = {
      {"127.0.0.1:50051", true},
      {"127.8.9.10:1", true},
      {"127.0.0.1", true},
      {"localhost:1", true},
      {"LOCALHOST:1", true},
      {"localhost", true},
      {"[::1]:5", true},
      {"[::1]", true},
      {"::1", true},
      {"[::ffff:127.0.0.1]:7", true},
      {"unix:/run/gaitkeeper/ingestion.sock", true},
      {"unix-abstract:gk", true},
      {"dns:///localhost:50051", true},
      {"dns:localhost:50051", true},
      {"dns://8.8.8.8/127.0.0.1:1", true},
      {"ipv4:127.0.0.1:1,127.0.0.2:2", true},
      {"ipv6:[::1]:1", true},
      {"0.0.0.0:1", false},
      {"[::]:1", false},
      {"::", false},
      {":50051", false},
      {"10.0.0.1:1", false},
      {"128.0.0.1:1", false},
      {"[::2]:1", false},
      {"[::ffff:10.0.0.1]:1", false},
      {"localhost.example.com:1", false},
      {"mylocalhost:1", false},
      {"scoring:50052", false},
      {"dns:///scoring:50052", false},
      {"ipv4:127.0.0.1:1,10.0.0.1:1", false},
      {"[::1", false},
      {"[::1]x", false},
      {"", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsLoopbackAddress(c.address), c.loopback) << c.address;
  }
}

// ---------------------------------------------------------------------------------------------
// Fixtures: development certificates made by the real script, once for the whole suite.

std::string MakeTempDir() {
  std::string pattern = (fs::temp_directory_path() / "gk_tls_test.XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

void WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << contents;
}

bool RunCertScript(const std::string& dir) {
  const std::string command = absl::StrCat("bash '", GK_SOURCE_DIR, "/scripts/gen-dev-certs.sh' '",
                                           dir, "' >/dev/null");
  return std::system(command.c_str()) == 0;
}

// A self-signed EC certificate that expired yesterday, and its key, written as PEM files.
bool WriteExpiredCertificate(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  X509* cert = X509_new();
  bool ok = key != nullptr && cert != nullptr;
  if (ok) {
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -2 * 24 * 3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), -24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("expired"), -1, -1, 0);
    X509_set_issuer_name(cert, name);
    ok = X509_sign(cert, key, EVP_sha256()) > 0;
  }
  if (ok) {
    FILE* c = std::fopen(cert_path.c_str(), "w");
    FILE* k = std::fopen(key_path.c_str(), "w");
    ok = c != nullptr && k != nullptr && PEM_write_X509(c, cert) == 1 &&
         PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    if (c != nullptr) std::fclose(c);
    if (k != nullptr) std::fclose(k);
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = new std::string(MakeTempDir());
    ASSERT_FALSE(root_->empty());
    ASSERT_TRUE(RunCertScript(Ours()));
    ASSERT_TRUE(RunCertScript(Theirs()));
  }
  static void TearDownTestSuite() {
    std::error_code ignored;
    fs::remove_all(*root_, ignored);
    delete root_;
    root_ = nullptr;
  }

  // Our development CA and service certificates, and a second, unrelated set.
  static std::string Ours() { return *root_ + "/ours"; }
  static std::string Theirs() { return *root_ + "/theirs"; }
  static std::string Ours(const std::string& file) { return Ours() + "/" + file; }
  static std::string Theirs(const std::string& file) { return Theirs() + "/" + file; }
  static std::string Scratch(const std::string& file) { return *root_ + "/" + file; }

  static ServerTlsFiles ServerFiles(bool with_client_ca = true) {
    return {Ours("ingestion.crt"), Ours("ingestion.key"), with_client_ca ? Ours("ca.crt") : ""};
  }

  static std::string* root_;
};
std::string* TlsTest::root_ = nullptr;

// ---------------------------------------------------------------------------------------------
// MakeServerCredentials / MakeChannelCredentials without a network

TEST_F(TlsTest, PlaintextServerOnlyOnLoopback) {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> wildcard =
      MakeServerCredentials({}, "0.0.0.0:50051");
  EXPECT_EQ(wildcard.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(wildcard.status().message(),
            "plaintext only on loopback; configure --tls_cert/--tls_key");
  EXPECT_EQ(MakeServerCredentials({}, "[::]:50051").status().code(),
            absl::StatusCode::kFailedPrecondition);

  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> loopback =
      MakeServerCredentials({}, "127.0.0.1:50051");
  ASSERT_TRUE(loopback.ok()) << loopback.status();
  EXPECT_NE(*loopback, nullptr);
}

TEST_F(TlsTest, TlsServerOnAnyAddress) {
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> creds =
      MakeServerCredentials(ServerFiles(), "0.0.0.0:50051");
  ASSERT_TRUE(creds.ok()) << creds.status();
  EXPECT_NE(*creds, nullptr);
  EXPECT_TRUE(MakeServerCredentials(ServerFiles(/*with_client_ca=*/false), "0.0.0.0:1").ok());
}

TEST_F(TlsTest, ServerFileErrors) {
  EXPECT_EQ(MakeServerCredentials({Ours("ingestion.crt"), "", ""}, "127.0.0.1:1").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeServerCredentials({"", Ours("ingestion.key"), ""}, "127.0.0.1:1").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeServerCredentials({"", "", Ours("ca.crt")}, "127.0.0.1:1").status().code(),
            absl::StatusCode::kInvalidArgument);

  const std::string missing = Scratch("no-such.key");
  absl::Status status =
      MakeServerCredentials({Ours("ingestion.crt"), missing, ""}, "0.0.0.0:1").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find(missing), std::string::npos) << status;

  status = MakeServerCredentials({Ours("ingestion.crt"), Ours("ingestion.key"), missing},
                                 "0.0.0.0:1")
               .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find(missing), std::string::npos) << status;

  // Certificate and key swapped: the key file holds no certificate.
  status = MakeServerCredentials({Ours("ingestion.key"), Ours("ingestion.crt"), ""}, "0.0.0.0:1")
               .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find(Ours("ingestion.key")), std::string::npos) << status;
  EXPECT_EQ(status.message().find("PRIVATE KEY-----"), std::string::npos) << status;

  // A key that belongs to another certificate.
  status = MakeServerCredentials({Ours("ingestion.crt"), Ours("scoring.key"), ""}, "0.0.0.0:1")
               .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("does not belong"), std::string::npos) << status;

  const std::string garbage = Scratch("garbage.pem");
  WriteFile(garbage, "not a certificate\n");
  EXPECT_EQ(MakeServerCredentials({Ours("ingestion.crt"), Ours("ingestion.key"), garbage},
                                  "0.0.0.0:1")
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TlsTest, EncryptedKeyIsRefusedWithoutPrompting) {
  const std::string encrypted = Scratch("encrypted.key");
  const std::string command =
      absl::StrCat("openssl pkey -in '", Ours("ingestion.key"), "' -aes256 -passout pass:secret",
                   " -out '", encrypted, "' </dev/null");
  ASSERT_EQ(std::system(command.c_str()), 0);
  absl::Status status =
      MakeServerCredentials({Ours("ingestion.crt"), encrypted, ""}, "0.0.0.0:1").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find(encrypted), std::string::npos) << status;
}

TEST_F(TlsTest, ExpiredCertificateIsRefused) {
  const std::string cert = Scratch("expired.crt");
  const std::string key = Scratch("expired.key");
  ASSERT_TRUE(WriteExpiredCertificate(cert, key));
  absl::Status status = MakeServerCredentials({cert, key, ""}, "0.0.0.0:1").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(status.message().find(cert), std::string::npos) << status;
  EXPECT_EQ(MakeChannelCredentials({Ours("ca.crt"), cert, key}, "scoring:1").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(TlsTest, ChannelCredentialRules) {
  EXPECT_EQ(MakeChannelCredentials({}, "scoring:50052").status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(MakeChannelCredentials({}, "127.0.0.1:50052").ok());
  EXPECT_TRUE(MakeChannelCredentials({}, "localhost:50052").ok());
  EXPECT_TRUE(MakeChannelCredentials({Ours("ca.crt"), "", ""}, "scoring:50052").ok());
  EXPECT_TRUE(
      MakeChannelCredentials({Ours("ca.crt"), Ours("scoring.crt"), Ours("scoring.key")}, "x:1")
          .ok());

  EXPECT_EQ(MakeChannelCredentials({Ours("ca.crt"), Ours("scoring.crt"), ""}, "x:1").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(
      MakeChannelCredentials({"", Ours("scoring.crt"), Ours("scoring.key")}, "127.0.0.1:1")
          .status()
          .code(),
      absl::StatusCode::kInvalidArgument);
  const std::string missing = Scratch("missing-ca.crt");
  absl::Status status = MakeChannelCredentials({missing, "", ""}, "x:1").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find(missing), std::string::npos) << status;
}

// ---------------------------------------------------------------------------------------------
// Real handshakes

// Answers every method with what the TLS layer proved about the caller: "verified <CN>" or
// "unverified".
class WhoAmIService : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    class Reactor : public grpc::ServerGenericBidiReactor {
     public:
      explicit Reactor(grpc::GenericCallbackServerContext* ctx) {
        // Both shorthands and the struct must agree.
        const PeerCertificate peer = PeerCertificateOf(*ctx);
        EXPECT_EQ(peer.verified, PeerHasVerifiedCertificate(*ctx));
        EXPECT_EQ(peer.common_name, PeerCommonName(*ctx));
        const std::string text =
            peer.verified ? absl::StrCat("verified ", peer.common_name) : "unverified";
        grpc::Slice slice(text);
        response_ = grpc::ByteBuffer(&slice, 1);
        StartRead(&request_);
      }
      void OnReadDone(bool ok) override {
        if (!ok) {
          Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request"));
          return;
        }
        StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
      }
      void OnDone() override { delete this; }

     private:
      grpc::ByteBuffer request_;
      grpc::ByteBuffer response_;
    };
    return new Reactor(ctx);
  }
};

struct CallResult {
  grpc::Status status;
  std::string body;
};

// One unary call of /test.WhoAmI/Get on `channel`; fails fast when it cannot connect.
CallResult CallWhoAmI(const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Slice slice(std::string("?"));
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/test.WhoAmI/Get", grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  CallResult result;
  result.status = done.get_future().get();
  if (result.status.ok()) {
    std::vector<grpc::Slice> slices;
    if (response.Dump(&slices).ok()) {
      for (const grpc::Slice& s : slices) {
        result.body.append(reinterpret_cast<const char*>(s.begin()), s.size());
      }
    }
  }
  return result;
}

CallResult CallWhoAmI(const std::string& target,
                      const std::shared_ptr<grpc::ChannelCredentials>& creds) {
  return CallWhoAmI(grpc::CreateChannel(target, creds));
}

class TlsHandshakeTest : public TlsTest {
 protected:
  void StartServer(const ServerTlsFiles& files) {
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> creds =
        MakeServerCredentials(files, "127.0.0.1:0");
    ASSERT_TRUE(creds.ok()) << creds.status();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", *creds, &port_);
    builder.RegisterCallbackGenericService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port_, 0);
  }
  void TearDown() override {
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    }
  }

  std::string Target(const std::string& host = "localhost") const {
    return absl::StrCat(host, ":", port_);
  }

  static std::shared_ptr<grpc::ChannelCredentials> Client(const ClientTlsFiles& files) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds =
        MakeChannelCredentials(files, "localhost:1");
    EXPECT_TRUE(creds.ok()) << creds.status();
    return creds.ok() ? *creds : nullptr;
  }

  WhoAmIService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

TEST_F(TlsHandshakeTest, ServiceCertificateIsVerified) {
  StartServer(ServerFiles());
  CallResult r = CallWhoAmI(
      Target(), Client({Ours("ca.crt"), Ours("ingestion.crt"), Ours("ingestion.key")}));
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(r.body, "verified gaitkeeper-ingestion");

  // By IP address too (the certificates carry IP:127.0.0.1 in their subjectAltName).
  r = CallWhoAmI(Target("127.0.0.1"),
                 Client({Ours("ca.crt"), Ours("scoring.crt"), Ours("scoring.key")}));
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(r.body, "verified gaitkeeper-scoring");
}

TEST_F(TlsHandshakeTest, ClientWithoutCertificateIsAcceptedButNotVerified) {
  StartServer(ServerFiles());
  CallResult r = CallWhoAmI(Target(), Client({Ours("ca.crt"), "", ""}));
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(r.body, "unverified");
}

TEST_F(TlsHandshakeTest, CertificateFromAnotherCaIsRefused) {
  StartServer(ServerFiles());
  CallResult r = CallWhoAmI(
      Target(), Client({Ours("ca.crt"), Theirs("ingestion.crt"), Theirs("ingestion.key")}));
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAVAILABLE) << r.status.error_message();
  EXPECT_EQ(r.body, "");
}

TEST_F(TlsHandshakeTest, PlaintextClientIsRefused) {
  StartServer(ServerFiles());
  CallResult r = CallWhoAmI(Target(), grpc::InsecureChannelCredentials());
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAVAILABLE) << r.status.error_message();
}

TEST_F(TlsHandshakeTest, ClientThatDoesNotTrustTheCaFails) {
  StartServer(ServerFiles());
  CallResult r = CallWhoAmI(Target(), Client({Theirs("ca.crt"), "", ""}));
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAVAILABLE) << r.status.error_message();
}

TEST_F(TlsHandshakeTest, WrongHostNameFails) {
  StartServer(ServerFiles());
  // The certificates name localhost, 127.0.0.1 and ::1 only; ask for another host name.
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("scoring.example.com");
  CallResult r = CallWhoAmI(
      grpc::CreateCustomChannel(Target(), Client({Ours("ca.crt"), "", ""}), args));
  EXPECT_EQ(r.status.error_code(), grpc::StatusCode::UNAVAILABLE) << r.status.error_message();
}

TEST_F(TlsHandshakeTest, WithoutClientCaPresentedCertificatesAreIgnored) {
  StartServer(ServerFiles(/*with_client_ca=*/false));
  CallResult r = CallWhoAmI(
      Target(), Client({Ours("ca.crt"), Ours("ingestion.crt"), Ours("ingestion.key")}));
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(r.body, "unverified");
}

TEST_F(TlsHandshakeTest, PlaintextOnLoopbackIsNotVerified) {
  StartServer({});
  CallResult r = CallWhoAmI(Target("127.0.0.1"), Client({}));
  ASSERT_TRUE(r.status.ok()) << r.status.error_message();
  EXPECT_EQ(r.body, "unverified");
}

}  // namespace
}  // namespace gaitkeeper::tls
