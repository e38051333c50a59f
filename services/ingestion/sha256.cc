#include "services/ingestion/sha256.h"

#include <openssl/evp.h>

namespace gaitkeeper::ingestion {

std::string Sha256(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

}  // namespace gaitkeeper::ingestion
