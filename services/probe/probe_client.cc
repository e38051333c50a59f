#include "services/probe/probe_client.h"

#include <chrono>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/generic/generic_stub.h"
#include "services/common/status.h"

namespace gaitkeeper::probe {
namespace {

// A length-delimited field (wire type 2) holding `value`.
std::string LengthDelimited(int field_number, const std::string& value) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.WriteTag(static_cast<uint32_t>(field_number << 3 | 2));
    coded.WriteVarint32(static_cast<uint32_t>(value.size()));
    coded.WriteString(value);
  }
  return out;
}

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  (void)buffer.Dump(&slices);
  std::string out;
  for (const grpc::Slice& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

std::chrono::system_clock::time_point Deadline(absl::Duration timeout) {
  return std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout);
}

// Waits for the next completion-queue event and checks it is `tag` and succeeded.
bool Await(grpc::CompletionQueue& cq, void* tag) {
  void* got = nullptr;
  bool ok = false;
  return cq.Next(&got, &ok) && got == tag && ok;
}

}  // namespace

absl::StatusOr<std::string> CheckHealth(const std::shared_ptr<grpc::Channel>& channel,
                                        const std::string& service, absl::Duration timeout) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(Deadline(timeout));
  grpc::CompletionQueue cq;
  // HealthCheckRequest { string service = 1; }
  grpc::ByteBuffer request = ToBuffer(service.empty() ? std::string() : LengthDelimited(1, service));
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
      stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check", request, &cq);
  call->StartCall();
  grpc::ByteBuffer response;
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {}
  if (!status.ok()) return FromGrpcStatus(status);
  // HealthCheckResponse { ServingStatus status = 1; } UNKNOWN=0 SERVING=1 NOT_SERVING=2 SERVICE_UNKNOWN=3
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromString(FromBuffer(response))) return absl::DataLossError("bad health response");
  int64_t value = 0;
  for (int i = 0; i < fields.field_count(); ++i) {
    if (fields.field(i).number() == 1 && fields.field(i).type() == google::protobuf::UnknownField::TYPE_VARINT) {
      value = static_cast<int64_t>(fields.field(i).varint());
    }
  }
  switch (value) {
    case 1: return std::string("SERVING");
    case 2: return std::string("NOT_SERVING");
    case 3: return std::string("SERVICE_UNKNOWN");
    default: return std::string("UNKNOWN");
  }
}

absl::StatusOr<std::vector<std::string>> ListServices(const std::shared_ptr<grpc::Channel>& channel,
                                                      absl::Duration timeout) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(Deadline(timeout));
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* const kStart = reinterpret_cast<void*>(1);
  void* const kWrite = reinterpret_cast<void*>(2);
  void* const kRead = reinterpret_cast<void*>(3);
  void* const kDone = reinterpret_cast<void*>(4);
  void* const kFinish = reinterpret_cast<void*>(5);
  grpc::ByteBuffer response;
  grpc::Status status;
  bool ok_steps = true;
  call->StartCall(kStart);
  ok_steps = ok_steps && Await(cq, kStart);
  // ServerReflectionRequest { string list_services = 7; }
  if (ok_steps) {
    call->Write(ToBuffer(LengthDelimited(7, "*")), kWrite);
    ok_steps = Await(cq, kWrite);
  }
  if (ok_steps) {
    call->Read(&response, kRead);
    ok_steps = Await(cq, kRead);
  }
  if (ok_steps) {
    call->WritesDone(kDone);
    ok_steps = Await(cq, kDone);
  }
  call->Finish(&status, kFinish);
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok) && tag != kFinish) {}
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {}
  if (!status.ok()) return FromGrpcStatus(status);
  if (!ok_steps) return absl::UnavailableError("reflection stream failed");
  // ServerReflectionResponse { ListServiceResponse list_services_response = 6; }
  // ListServiceResponse { repeated ServiceResponse service = 1; }  ServiceResponse { string name = 1; }
  google::protobuf::UnknownFieldSet top;
  if (!top.ParseFromString(FromBuffer(response))) return absl::DataLossError("bad reflection response");
  std::vector<std::string> names;
  for (int i = 0; i < top.field_count(); ++i) {
    if (top.field(i).number() != 6 || top.field(i).type() != google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) continue;
    google::protobuf::UnknownFieldSet list;
    if (!list.ParseFromString(top.field(i).length_delimited())) continue;
    for (int j = 0; j < list.field_count(); ++j) {
      if (list.field(j).number() != 1 || list.field(j).type() != google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) continue;
      google::protobuf::UnknownFieldSet service;
      if (!service.ParseFromString(list.field(j).length_delimited())) continue;
      for (int k = 0; k < service.field_count(); ++k) {
        if (service.field(k).number() == 1 && service.field(k).type() == google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED) {
          names.push_back(service.field(k).length_delimited());
        }
      }
    }
  }
  return names;
}

}  // namespace gaitkeeper::probe
