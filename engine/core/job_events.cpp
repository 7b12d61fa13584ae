#include "core/job_events.h"

#include "core/json_read.h"

namespace kdw {
namespace {

const char* kind_name(JobEvent::Kind kind) {
  switch (kind) {
    case JobEvent::Kind::kProgress:
      return "progress";
    case JobEvent::Kind::kMetric:
      return "metric";
    case JobEvent::Kind::kResult:
      return "result";
    case JobEvent::Kind::kCancelled:
      return "cancelled";
    case JobEvent::Kind::kError:
      return "error";
  }
  return "error";
}

}  // namespace

std::string job_event_line(const JobEvent& e) {
  nlohmann::json j = {{"event", kind_name(e.kind)}};
  switch (e.kind) {
    case JobEvent::Kind::kProgress:
      j["stage"] = e.progress.stage;
      j["done"] = e.progress.done;
      j["total"] = e.progress.total;
      j["message"] = e.progress.message;
      break;
    case JobEvent::Kind::kMetric:
      j["record"] = e.data;
      break;
    case JobEvent::Kind::kResult:
    case JobEvent::Kind::kCancelled:
      j["result"] = e.data;
      break;
    case JobEvent::Kind::kError:
      j["message"] = e.message;
      j["rank"] = e.rank;
      if (e.failed_rank >= 0) j["failed_rank"] = e.failed_rank;
      break;
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<JobEvent> read_job_event(const std::string& line) {
  if (line.empty() || line.front() != '{' || json_too_deep_at(line) != 0) return std::nullopt;
  const nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  const auto event = j.find("event");
  if (event == j.end() || !event->is_string()) return std::nullopt;
  const std::string name = event->get<std::string>();
  JobEvent e;
  // A field of the wrong type reads as absent: the line came from another program.
  const auto text = [&j](const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const auto integer = [&j](const char* key, int64_t fallback) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
  };
  const auto value = [&j](const char* key) {
    const auto it = j.find(key);
    return it != j.end() ? *it : nlohmann::json();
  };
  if (name == "progress") {
    e.kind = JobEvent::Kind::kProgress;
    e.progress = {text("stage"), integer("done", 0), integer("total", 0), text("message")};
  } else if (name == "metric") {
    e.kind = JobEvent::Kind::kMetric;
    e.data = value("record");
  } else if (name == "result" || name == "cancelled") {
    e.kind = name == "result" ? JobEvent::Kind::kResult : JobEvent::Kind::kCancelled;
    e.data = value("result");
  } else if (name == "error") {
    e.kind = JobEvent::Kind::kError;
    e.message = text("message");
    e.rank = int(integer("rank", 0));
    e.failed_rank = int(integer("failed_rank", -1));
  } else {
    return std::nullopt;
  }
  return e;
}

JobEvent progress_event(const ProgressEvent& progress) {
  JobEvent e;
  e.kind = JobEvent::Kind::kProgress;
  e.progress = progress;
  return e;
}

JobEvent metric_event(const nlohmann::json& record) {
  JobEvent e;
  e.kind = JobEvent::Kind::kMetric;
  e.data = record;
  return e;
}

JobEvent result_event(const nlohmann::json& result) {
  JobEvent e;
  e.kind = JobEvent::Kind::kResult;
  e.data = result;
  return e;
}

JobEvent cancelled_event(const nlohmann::json& partial) {
  JobEvent e;
  e.kind = JobEvent::Kind::kCancelled;
  e.data = partial;
  return e;
}

JobEvent error_event(const std::string& message, int rank, int failed_rank) {
  JobEvent e;
  e.kind = JobEvent::Kind::kError;
  e.message = message;
  e.rank = rank;
  e.failed_rank = failed_rank;
  return e;
}

}  // namespace kdw
