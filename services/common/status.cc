#include "services/common/status.h"

#include <optional>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace gaitkeeper {
namespace {

constexpr char kTypePrefix[] = "type.googleapis.com/";
constexpr char kDomain[] = "gaitkeeper";

template <typename Message>
std::string TypeUrl() {
  return absl::StrCat(kTypePrefix, Message::descriptor()->full_name());
}

template <typename Message>
void AttachPayload(absl::Status& status, const Message& message) {
  status.SetPayload(TypeUrl<Message>(), absl::Cord(message.SerializeAsString()));
}

template <typename Message>
std::optional<Message> PayloadOf(const absl::Status& status) {
  absl::optional<absl::Cord> bytes = status.GetPayload(TypeUrl<Message>());
  if (!bytes.has_value()) return std::nullopt;
  Message message;
  if (!message.ParseFromString(std::string(*bytes))) return std::nullopt;
  return message;
}

}  // namespace

absl::Status Violations::ToStatus(absl::string_view reason) const {
  if (items_.empty()) return absl::OkStatus();
  return InvalidArgumentWithFields(reason, items_);
}

absl::Status InvalidArgumentWithFields(absl::string_view reason,
                                       const std::vector<FieldViolation>& violations) {
  std::string message = "invalid request";
  if (!violations.empty()) {
    message = absl::StrCat("invalid ", violations.front().field, ": ",
                           violations.front().description);
    if (violations.size() > 1) {
      absl::StrAppend(&message, " (and ", violations.size() - 1, " more)");
    }
  }
  absl::Status status = absl::InvalidArgumentError(message);
  google::rpc::BadRequest bad_request;
  for (const FieldViolation& v : violations) {
    google::rpc::BadRequest::FieldViolation* out = bad_request.add_field_violations();
    out->set_field(v.field);
    out->set_description(v.description);
  }
  AttachPayload(status, bad_request);
  return WithReason(std::move(status), reason);
}

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  if (status.ok()) return status;
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(kDomain);
  AttachPayload(status, info);
  return status;
}

std::string ReasonOf(const absl::Status& status) {
  std::optional<google::rpc::ErrorInfo> info = PayloadOf<google::rpc::ErrorInfo>(status);
  return info.has_value() ? info->reason() : "";
}

std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> out;
  std::optional<google::rpc::BadRequest> bad = PayloadOf<google::rpc::BadRequest>(status);
  if (!bad.has_value()) return out;
  for (const auto& v : bad->field_violations()) out.push_back({v.field(), v.description()});
  return out;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status rich;
  rich.set_code(static_cast<int>(status.code()));
  rich.set_message(std::string(status.message()));
  status.ForEachPayload([&rich](absl::string_view type_url, const absl::Cord& payload) {
    google::protobuf::Any* any = rich.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::string(payload));
  });
  // absl::StatusCode and grpc::StatusCode share their numbering.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()),
                      rich.details_size() > 0 ? rich.SerializeAsString() : std::string());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  google::rpc::Status rich;
  if (!status.error_details().empty() && rich.ParseFromString(status.error_details())) {
    for (const google::protobuf::Any& any : rich.details()) {
      out.SetPayload(any.type_url(), absl::Cord(any.value()));
    }
  }
  return out;
}

}  // namespace gaitkeeper
