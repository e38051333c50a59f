#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

// JWT keys by key id (`kid`). A verifier holds the keys it accepts (several at once during a key
// rotation); an issuer holds the keys it signs with. Keys come from a key-set file:
//
//   # kid        alg    key_file (relative to this file's directory unless absolute)
//   dev-hs256    HS256  dev-hs256.secret
//   rs256-1      RS256  rs256-1.pub
//   es256-1      ES256  es256-1.pub
//
// (scripts/gen-dev-keys.sh writes one for development). Key material never appears in an error
// message or a log line.
namespace gaitkeeper::auth {

// The JWS algorithms we accept (RFC 7518). Each key is bound to exactly one of them, and a token
// whose header names another algorithm is refused (no algorithm confusion).
enum class Algorithm { kHS256, kRS256, kES256 };

// "HS256", "RS256", "ES256".
absl::string_view AlgorithmName(Algorithm alg);
// The inverse; nullopt for anything else (including "none" and lower-case spellings).
std::optional<Algorithm> ParseAlgorithm(absl::string_view name);

// What the keys of a set are for: verifiers hold PUBLIC keys (PEM "PUBLIC KEY", SubjectPublicKeyInfo),
// issuers hold PRIVATE keys (PEM "PRIVATE KEY" / "RSA PRIVATE KEY" / "EC PRIVATE KEY", not
// encrypted). HS256 secrets are the same for both.
enum class KeyUse { kVerify, kSign };

struct Key {
  std::string kid;
  Algorithm alg = Algorithm::kHS256;
  // HS256: the secret bytes, exactly as in the key file (no newline stripped; at least 32 bytes).
  // RS256 / ES256: the PEM text.
  std::string material;
};

// Minimum HS256 secret length (RFC 7518 §3.2: a key at least as long as the hash output).
inline constexpr size_t kMinHmacSecretBytes = 32;
// Minimum RSA modulus for RS256.
inline constexpr int kMinRsaBits = 2048;
// Key ids are [A-Za-z0-9._-]{1,kMaxKidLength}.
inline constexpr size_t kMaxKidLength = 64;

// True for a well-formed key id.
bool IsValidKid(absl::string_view kid);

// Checks one key for `use`: the kid is well formed, an HS256 secret is long enough, a PEM parses
// with OpenSSL as the right kind of key (RSA >= 2048 bits for RS256, EC P-256 for ES256; public
// for kVerify, private for kSign). Returns InvalidArgument saying what is wrong, without the
// material.
absl::Status ValidateKey(const Key& key, KeyUse use);

// An immutable set of keys with unique kids. Cheap to search (a handful of keys); safe to read
// from many threads.
class KeySet {
 public:
  KeySet() = default;

  // Validates every key (ValidateKey) and that kids are unique. InvalidArgument otherwise.
  static absl::StatusOr<KeySet> Create(std::vector<Key> keys, KeyUse use);

  // The key with this kid, or nullptr.
  const Key* Find(absl::string_view kid) const;
  const std::vector<Key>& keys() const { return keys_; }
  bool empty() const { return keys_.empty(); }

 private:
  friend absl::StatusOr<KeySet> LoadKeySet(absl::string_view path, KeyUse use);
  explicit KeySet(std::vector<Key> keys) : keys_(std::move(keys)) {}

  std::vector<Key> keys_;
};

// Reads a key-set file (format above; blank lines and '#' comments allowed, fields separated by
// spaces or tabs) and the key files it names. Returns NotFound when the set file or a key file
// cannot be read, InvalidArgument for a malformed line, a bad or duplicate kid, an unknown
// algorithm, an unusable key or an empty set. Messages name the set file and line, never key
// material.
absl::StatusOr<KeySet> LoadKeySet(absl::string_view path, KeyUse use);

}  // namespace gaitkeeper::auth
