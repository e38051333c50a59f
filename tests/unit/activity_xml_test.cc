#include "services/ingestion/activity_xml/activity_xml.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace gaitkeeper::ingestion::activity_xml {
namespace {

// ---------------------------------------------------------------------------
// Minimal JSON reader for the reference decodes (one object per line).

struct Json {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;

  const Json* Find(const std::string& key) const {
    for (const auto& [name, value] : object) {
      if (name == key) return &value;
    }
    return nullptr;
  }
  std::optional<double> Number(const std::string& key) const {
    const Json* value = Find(key);
    if (value == nullptr || value->type != Type::kNumber) return std::nullopt;
    return value->number;
  }
  std::string String(const std::string& key) const {
    const Json* value = Find(key);
    return value != nullptr && value->type == Type::kString ? value->string
                                                            : "";
  }
};

class JsonParser {
 public:
  explicit JsonParser(const std::string& text) : text_(text) {}

  bool Parse(Json* out) {
    if (!Value(out)) return false;
    Space();
    return pos_ == text_.size();
  }

 private:
  void Space() {
    while (pos_ < text_.size() &&
           std::isspace(static_cast<unsigned char>(text_[pos_]))) {
      ++pos_;
    }
  }
  bool Literal(const char* word) {
    const std::string w(word);
    if (text_.compare(pos_, w.size(), w) != 0) return false;
    pos_ += w.size();
    return true;
  }
  bool StringValue(std::string* out) {
    if (text_[pos_] != '"') return false;
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\\') {
        if (pos_ >= text_.size()) return false;
        const char e = text_[pos_++];
        switch (e) {
          case 'n':
            c = '\n';
            break;
          case 't':
            c = '\t';
            break;
          case 'u': {
            if (pos_ + 4 > text_.size()) return false;
            const unsigned code =
                std::stoul(text_.substr(pos_, 4), nullptr, 16);
            pos_ += 4;
            c = code < 0x80 ? static_cast<char>(code) : '?';
            break;
          }
          default:
            c = e;
        }
      }
      out->push_back(c);
    }
    if (pos_ >= text_.size()) return false;
    ++pos_;
    return true;
  }
  bool Value(Json* out) {
    Space();
    if (pos_ >= text_.size()) return false;
    const char c = text_[pos_];
    if (c == '{') {
      out->type = Json::Type::kObject;
      ++pos_;
      Space();
      if (pos_ < text_.size() && text_[pos_] == '}') return ++pos_, true;
      while (true) {
        Space();
        std::string key;
        if (pos_ >= text_.size() || !StringValue(&key)) return false;
        Space();
        if (pos_ >= text_.size() || text_[pos_++] != ':') return false;
        Json value;
        if (!Value(&value)) return false;
        out->object.emplace_back(std::move(key), std::move(value));
        Space();
        if (pos_ >= text_.size()) return false;
        if (text_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (text_[pos_] == '}') return ++pos_, true;
        return false;
      }
    }
    if (c == '[') {
      out->type = Json::Type::kArray;
      ++pos_;
      Space();
      if (pos_ < text_.size() && text_[pos_] == ']') return ++pos_, true;
      while (true) {
        Json value;
        if (!Value(&value)) return false;
        out->array.push_back(std::move(value));
        Space();
        if (pos_ >= text_.size()) return false;
        if (text_[pos_] == ',') {
          ++pos_;
          continue;
        }
        if (text_[pos_] == ']') return ++pos_, true;
        return false;
      }
    }
    if (c == '"') {
      out->type = Json::Type::kString;
      return StringValue(&out->string);
    }
    if (Literal("true")) {
      out->type = Json::Type::kBool;
      out->boolean = true;
      return true;
    }
    if (Literal("false")) {
      out->type = Json::Type::kBool;
      return true;
    }
    if (Literal("null")) return true;
    const char* begin = text_.c_str() + pos_;
    char* end = nullptr;
    out->number = std::strtod(begin, &end);
    if (end == begin) return false;
    out->type = Json::Type::kNumber;
    pos_ += end - begin;
    return true;
  }

  const std::string& text_;
  size_t pos_ = 0;
};

// ---------------------------------------------------------------------------
// Shared data (real files) and reference decodes.

std::optional<std::filesystem::path> SharedDataDir() {
  std::filesystem::path dir = GK_SHARED_DATA_DIR;
  if (const char* env = std::getenv("GK_SHARED_DATA_DIR"); env && *env)
    dir = env;
  if (!std::filesystem::is_directory(dir / "activities") ||
      !std::filesystem::is_directory(dir / "activities-ref")) {
    return std::nullopt;
  }
  return dir;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct Reference {
  Json meta;
  std::vector<Json> laps;  // the "fields" objects, plus StartTime
  std::vector<std::string> lap_start_times;
  std::vector<Json> trackpoints;  // the "fields" objects
};

Reference LoadReference(const std::filesystem::path& path) {
  Reference ref;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    Json json;
    EXPECT_TRUE(JsonParser(line).Parse(&json)) << line.substr(0, 120);
    const std::string type = json.String("type");
    if (type == "meta") {
      ref.meta = json;
    } else if (type == "lap") {
      ref.laps.push_back(*json.Find("fields"));
      ref.lap_start_times.push_back(json.String("StartTime"));
    } else if (type == "trackpoint") {
      ref.trackpoints.push_back(*json.Find("fields"));
    }
  }
  return ref;
}

// Independent of the parser under test: "YYYY-MM-DDTHH:MM:SS[.fff]Z".
int64_t ReferenceTimeMs(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, consumed = 0;
  EXPECT_EQ(std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d,
                        &h, &mi, &s, &consumed),
            6)
      << text;
  int64_t ms = 0;
  if (text[consumed] == '.') {
    ms = std::lround(std::stod("0" + text.substr(consumed, 4)) * 1000);
  }
  EXPECT_EQ(text.back(), 'Z') << text;
  const auto days = std::chrono::sys_days(std::chrono::year(y) / mo / d);
  return (days.time_since_epoch().count() * 86400LL + h * 3600 + mi * 60 + s) *
             1000 +
         ms;
}

// Half of each field's resolution as the real files write it (the coarsest
// file decides: movescount.tcx has 7 decimals of a degree, 0.1 m altitude,
// 0.1 m/s speed; distances carry at least 2 decimals; heart rate and cadence
// are integers).
constexpr double kDegreesTolerance = 0.5e-7;
constexpr double kAltitudeTolerance = 0.05;
constexpr double kDistanceTolerance = 0.005;
constexpr double kSpeedTolerance = 0.05;
constexpr double kBeatsTolerance = 0.5;
// Reference cadence is strides/min; ours is steps/min (2 x).
constexpr double kStepsTolerance = 2 * 0.5;

void ExpectField(const std::optional<double>& actual,
                 std::optional<double> expected, double scale, double tolerance,
                 const std::string& what) {
  if (!expected.has_value()) {
    EXPECT_FALSE(actual.has_value()) << what << " should be absent";
    return;
  }
  ASSERT_TRUE(actual.has_value()) << what << " missing";
  EXPECT_NEAR(*actual, *expected * scale, tolerance) << what;
}

struct RealFile {
  std::string name;
  std::string format;
  std::string expected_creator;
  std::string expected_sport;
  std::optional<std::string> expected_id_time;
};

class RealFileTest : public ::testing::TestWithParam<RealFile> {};

TEST_P(RealFileTest, MatchesReferenceDecode) {
  const std::optional<std::filesystem::path> dir = SharedDataDir();
  if (!dir.has_value()) {
    GTEST_SKIP() << "../shared/data absent: real-file checks skipped";
  }
  const RealFile& file = GetParam();
  const std::string bytes = ReadFile(*dir / "activities" / file.name);
  const Reference ref =
      LoadReference(*dir / "activities-ref" / (file.name + ".ref.jsonl"));
  ASSERT_FALSE(bytes.empty());
  ASSERT_FALSE(ref.trackpoints.empty());

  EXPECT_EQ(DetectFormat(bytes), file.format);
  const absl::StatusOr<Activity> parsed =
      file.format == "tcx" ? ParseTcx(bytes) : ParseGpx(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const Activity& activity = *parsed;

  EXPECT_EQ(activity.format, file.format);
  EXPECT_EQ(activity.creator, file.expected_creator);
  EXPECT_EQ(activity.creator, ref.meta.String("creator"));
  EXPECT_EQ(activity.sport, file.expected_sport);
  const Json* sports =
      ref.meta.Find(file.format == "tcx" ? "sports" : "track_types");
  ASSERT_NE(sports, nullptr);
  EXPECT_EQ(activity.sport, sports->array.at(0).string);
  ASSERT_EQ(activity.id_time_ms.has_value(), file.expected_id_time.has_value());
  if (file.expected_id_time.has_value()) {
    EXPECT_EQ(*activity.id_time_ms, ReferenceTimeMs(*file.expected_id_time));
  }

  // No point of these files lacks a time: nothing is skipped.
  ASSERT_EQ(activity.points.size(), ref.trackpoints.size());
  EXPECT_EQ(static_cast<double>(activity.points.size()),
            *ref.meta.Number("trackpoints"));
  for (size_t i = 0; i < activity.points.size(); ++i) {
    const TrackPoint& point = activity.points[i];
    const Json& want = ref.trackpoints[i];
    const std::string at = absl::StrCat(file.name, " point ", i, " ");
    EXPECT_EQ(point.time_ms, ReferenceTimeMs(want.String("time"))) << at;
    ExpectField(point.latitude_deg, want.Number("lat"), 1, kDegreesTolerance,
                at + "lat");
    ExpectField(point.longitude_deg, want.Number("lon"), 1, kDegreesTolerance,
                at + "lon");
    ExpectField(point.altitude_m,
                file.format == "tcx" ? want.Number("alt") : want.Number("ele"),
                1, kAltitudeTolerance, at + "altitude");
    ExpectField(point.distance_m, want.Number("dist"), 1, kDistanceTolerance,
                at + "dist");
    ExpectField(point.heart_rate_bpm, want.Number("hr"), 1, kBeatsTolerance,
                at + "hr");
    std::optional<double> strides = want.Number("run_cadence");
    if (!strides.has_value()) strides = want.Number("cad");
    ExpectField(point.cadence_spm, strides, 2, kStepsTolerance, at + "cadence");
    ExpectField(point.speed_mps, want.Number("speed"), 1, kSpeedTolerance,
                at + "speed");
    ExpectField(point.power_w, want.Number("power"), 1, 0.5, at + "power");
  }

  if (file.format == "gpx") {
    EXPECT_TRUE(activity.laps.empty());
  } else {
    ASSERT_EQ(activity.laps.size(), ref.laps.size());
    for (size_t i = 0; i < ref.laps.size(); ++i) {
      const Lap& lap = activity.laps[i];
      const Json& want = ref.laps[i];
      const std::string at = absl::StrCat(file.name, " lap ", i, " ");
      EXPECT_EQ(lap.start_time_ms, ReferenceTimeMs(ref.lap_start_times[i]))
          << at;
      ExpectField(lap.total_time_s, want.Number("TotalTimeSeconds"), 1, 0.005,
                  at + "time");
      ExpectField(lap.distance_m, want.Number("DistanceMeters"), 1,
                  kDistanceTolerance, at + "distance");
      // Above 20 m/s (movescount.tcx's m/h values) the parser drops it.
      const double max_speed = want.Number("MaximumSpeed").value_or(-1);
      if (max_speed < 0 || max_speed > 20) {
        EXPECT_FALSE(lap.max_speed_mps.has_value()) << at << "max speed";
      } else {
        ExpectField(lap.max_speed_mps, max_speed, 1, 0.5e-11, at + "max speed");
      }
      ExpectField(lap.calories, want.Number("Calories"), 1, 0.5,
                  at + "calories");
      ExpectField(lap.average_heart_rate_bpm,
                  want.Number("AverageHeartRateBpm"), 1, kBeatsTolerance,
                  at + "avg hr");
      ExpectField(lap.max_heart_rate_bpm, want.Number("MaximumHeartRateBpm"), 1,
                  kBeatsTolerance, at + "max hr");
      ExpectField(lap.average_cadence_spm, want.Number("Cadence"), 2,
                  kStepsTolerance, at + "cadence");
    }
  }
  if (file.name != "movescount.tcx") {
    EXPECT_TRUE(activity.warnings.empty())
        << activity.warnings.size()
        << " warnings, first: " << activity.warnings[0];
  }
}

INSTANTIATE_TEST_SUITE_P(
    SharedData, RealFileTest,
    ::testing::Values(RealFile{"test.tcx", "tcx",
                               "Forerunner 410 Software Version 2.20",
                               "Running", "2012-12-26T21:29:53Z"},
                      RealFile{"movescount.tcx", "tcx", "", "Running",
                               "2018-02-23T16:55:43Z"},
                      RealFile{"2067489619.gpx", "gpx", "Garmin Connect",
                               "running", "2017-10-08T14:54:11.000Z"},
                      RealFile{"amazfit.gpx", "gpx",
                               "Huami Amazfit Sports Watch", "Running",
                               "2018-05-14T09:54:10Z"}),
    [](const ::testing::TestParamInfo<RealFile>& info) {
      std::string name = info.param.name;
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(RealFiles, MovescountMisScaledLapMaxSpeedIsDroppedWithWarning) {
  const std::optional<std::filesystem::path> dir = SharedDataDir();
  if (!dir.has_value()) {
    GTEST_SKIP() << "../shared/data absent: real-file checks skipped";
  }
  const absl::StatusOr<Activity> activity =
      ParseTcx(ReadFile(*dir / "activities" / "movescount.tcx"));
  ASSERT_TRUE(activity.ok()) << activity.status();
  ASSERT_EQ(activity->laps.size(), 2u);
  // Both laps carry m/h (18720 and 15840, i.e. 5.2 and 4.4 m/s, the laps'
  // fastest TPX Speed), not m/s.
  EXPECT_FALSE(activity->laps[0].max_speed_mps.has_value());
  EXPECT_FALSE(activity->laps[1].max_speed_mps.has_value());
  ASSERT_EQ(activity->warnings.size(), 2u);
  EXPECT_TRUE(absl::StartsWith(activity->warnings[0],
                               "lap 1 MaximumSpeed 18720.0 m/s implausible"))
      << activity->warnings[0];
  EXPECT_TRUE(
      absl::StrContains(activity->warnings[0], "5.2 m/s if it were m/h"))
      << activity->warnings[0];
  EXPECT_TRUE(absl::StartsWith(activity->warnings[1],
                               "lap 2 MaximumSpeed 15840.0 m/s implausible"))
      << activity->warnings[1];
  // The rest of the lap is intact.
  EXPECT_EQ(activity->laps[0].average_heart_rate_bpm, 134);
  EXPECT_EQ(activity->laps[0].average_cadence_spm, 178);
  double fastest = 0;
  for (const TrackPoint& point : activity->points) {
    if (point.time_ms < activity->laps[1].start_time_ms) {
      fastest = std::max(fastest, point.speed_mps.value_or(0));
    }
  }
  EXPECT_DOUBLE_EQ(fastest, 18720.0 / 3600);
}

TEST(RealFiles, LeadingWhitespaceBeforeDeclarationOfARealFile) {
  const std::optional<std::filesystem::path> dir = SharedDataDir();
  if (!dir.has_value()) {
    GTEST_SKIP() << "../shared/data absent: real-file checks skipped";
  }
  const std::string bytes =
      "\r\n   \n" + ReadFile(*dir / "activities" / "test.tcx");
  EXPECT_EQ(DetectFormat(bytes), "tcx");
  const absl::StatusOr<Activity> activity = ParseTcx(bytes);
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_EQ(activity->points.size(), 384u);
  ASSERT_EQ(activity->warnings.size(), 1u);
  EXPECT_EQ(activity->warnings[0],
            "whitespace before the XML declaration skipped");
}

// ---------------------------------------------------------------------------
// Generated documents.

constexpr int64_t kStartMs = 1700000000000;  // 2023-11-14T22:13:20Z

std::string IsoTime(int64_t ms) {
  const std::chrono::sys_time<std::chrono::milliseconds> t{
      std::chrono::milliseconds(ms)};
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(day);
  const std::chrono::hh_mm_ss hms(t - day);
  char buffer[40];
  std::snprintf(
      buffer, sizeof(buffer), "%04d-%02u-%02uT%02ld:%02ld:%02ld.%03ldZ",
      static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
      static_cast<unsigned>(ymd.day()), static_cast<long>(hms.hours().count()),
      static_cast<long>(hms.minutes().count()),
      static_cast<long>(hms.seconds().count()),
      static_cast<long>(hms.subseconds().count()));
  return buffer;
}

// A synthetic run: values a generator can write exactly.
struct GenPoint {
  int64_t time_ms;
  double lat, lon, alt, dist, hr, strides, speed, watts, temp;
};

std::vector<GenPoint> MakeRun(int n) {
  std::vector<GenPoint> points;
  for (int i = 0; i < n; ++i) {
    points.push_back(GenPoint{
        kStartMs + i * 1000 + (i % 3) * 250, 47.5 + i * 1e-5,
        -122.25 - i * 2e-5, 30 + 0.5 * (i % 7), 2.75 * i, 120.0 + i % 50,
        80.0 + i % 12, 2.5 + 0.125 * (i % 9), 200.0 + i, 15.0 + (i % 4)});
  }
  return points;
}

std::string Num(double v) {
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%.10g", v);
  return buffer;
}

// A Garmin-Connect-like TCX: ns3 prefix for the extensions, two laps.
std::string MakeTcx(const std::vector<GenPoint>& points,
                    const std::string& sport = "Running") {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<TrainingCenterDatabase xmlns=\"http://www.garmin.com/xmlschemas/"
      "TrainingCenterDatabase/v2\" "
      "xmlns:ns3=\"http://www.garmin.com/xmlschemas/"
      "ActivityExtension/v2\">\n<Activities>\n<Activity Sport=\"" +
      sport +
      "\">\n"
      "<Id>" +
      IsoTime(kStartMs) + "</Id>\n";
  const size_t half = points.size() / 2;
  for (size_t lap = 0; lap < 2; ++lap) {
    const size_t begin = lap == 0 ? 0 : half,
                 end = lap == 0 ? half : points.size();
    xml +=
        "<Lap StartTime=\"" + IsoTime(points[begin].time_ms) +
        "\">\n"
        "<TotalTimeSeconds>" +
        Num(300.5 + lap) +
        "</TotalTimeSeconds>\n"
        "<DistanceMeters>" +
        Num(1000.25 + lap) +
        "</DistanceMeters>\n"
        "<MaximumSpeed>" +
        Num(4.5 + lap) +
        "</MaximumSpeed>\n"
        "<Calories>" +
        Num(80.0 + lap) +
        "</Calories>\n"
        "<AverageHeartRateBpm><Value>" +
        Num(140.0 + lap) +
        "</Value></AverageHeartRateBpm>\n"
        "<MaximumHeartRateBpm><Value>" +
        Num(170.0 + lap) +
        "</Value></MaximumHeartRateBpm>\n"
        "<Intensity>Active</Intensity>\n<TriggerMethod>Manual</TriggerMethod>\n"
        "<Track>\n";
    for (size_t i = begin; i < end; ++i) {
      const GenPoint& p = points[i];
      xml += "<Trackpoint><Time>" + IsoTime(p.time_ms) +
             "</Time>"
             "<Position><LatitudeDegrees>" +
             Num(p.lat) +
             "</LatitudeDegrees>"
             "<LongitudeDegrees>" +
             Num(p.lon) +
             "</LongitudeDegrees></Position>"
             "<AltitudeMeters>" +
             Num(p.alt) +
             "</AltitudeMeters>"
             "<DistanceMeters>" +
             Num(p.dist) +
             "</DistanceMeters>"
             "<HeartRateBpm><Value>" +
             Num(p.hr) +
             "</Value></HeartRateBpm>"
             "<Extensions><ns3:TPX><ns3:Speed>" +
             Num(p.speed) +
             "</ns3:Speed>"
             "<ns3:RunCadence>" +
             Num(p.strides) +
             "</ns3:RunCadence>"
             "<ns3:Watts>" +
             Num(p.watts) +
             "</ns3:Watts></ns3:TPX></Extensions>"
             "</Trackpoint>\n";
    }
    xml += "</Track>\n<Extensions><ns3:LX><ns3:AvgSpeed>" + Num(3.25 + lap) +
           "</ns3:AvgSpeed><ns3:AvgRunCadence>" + Num(85.0 + lap) +
           "</ns3:AvgRunCadence><ns3:MaxRunCadence>" + Num(95.0 + lap) +
           "</ns3:MaxRunCadence><ns3:AvgWatts>" + Num(250.0 + lap) +
           "</ns3:AvgWatts><ns3:MaxWatts>" + Num(400.0 + lap) +
           "</ns3:MaxWatts></ns3:LX></Extensions>\n</Lap>\n";
  }
  xml +=
      "<Creator xsi:type=\"Device_t\" xmlns:xsi=\"http://www.w3.org/2001/"
      "XMLSchema-instance\"><Name>Generated Watch</Name><UnitId>1</UnitId>"
      "</Creator>\n</Activity>\n</Activities>\n"
      "<Author><Name>Not The "
      "Device</Name></Author>\n</TrainingCenterDatabase>\n";
  return xml;
}

// A GPX 1.1 with gpxtpx v2 (hr, cad, atemp, speed) and PowerInWatts, split
// over two segments.
std::string MakeGpx(const std::vector<GenPoint>& points,
                    const std::string& type = "running") {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<gpx version=\"1.1\" creator=\"Generator 1.0\" "
      "xmlns=\"http://www.topografix.com/GPX/1/1\" "
      "xmlns:gpxtpx=\"http://www.garmin.com/xmlschemas/TrackPointExtension/"
      "v2\" "
      "xmlns:pwr=\"http://www.garmin.com/xmlschemas/PowerExtension/v1\">\n"
      "<metadata><time>" +
      IsoTime(kStartMs - 5000) +
      "</time></metadata>\n"
      "<trk><name>Run</name><type>" +
      type + "</type>\n<trkseg>\n";
  for (size_t i = 0; i < points.size(); ++i) {
    const GenPoint& p = points[i];
    if (i == points.size() / 2) xml += "</trkseg>\n<trkseg>\n";
    xml +=
        "<trkpt lat=\"" + Num(p.lat) + "\" lon=\"" + Num(p.lon) +
        "\">"
        "<ele>" +
        Num(p.alt) + "</ele><time>" + IsoTime(p.time_ms) +
        "</time>"
        "<extensions><pwr:PowerInWatts>" +
        Num(p.watts) +
        "</pwr:PowerInWatts>"
        "<gpxtpx:TrackPointExtension><gpxtpx:atemp>" +
        Num(p.temp) + "</gpxtpx:atemp><gpxtpx:hr>" + Num(p.hr) +
        "</gpxtpx:hr><gpxtpx:cad>" + Num(p.strides) +
        "</gpxtpx:cad><gpxtpx:speed>" + Num(p.speed) +
        "</gpxtpx:speed></gpxtpx:TrackPointExtension></extensions></trkpt>\n";
  }
  xml += "</trkseg>\n</trk>\n</gpx>\n";
  return xml;
}

// A minimal GPX around some trkpt elements.
std::string GpxWith(const std::string& trkpts,
                    const std::string& extra_ns = "") {
  return "<?xml version=\"1.0\"?>\n<gpx version=\"1.1\" creator=\"t\" "
         "xmlns=\"http://www.topografix.com/GPX/1/1\"" +
         extra_ns + ">\n<trk><trkseg>\n" + trkpts +
         "\n</trkseg></trk>\n</gpx>\n";
}

// A minimal TCX around some Trackpoint elements.
std::string TcxWith(const std::string& trackpoints,
                    const std::string& sport = "Running") {
  return "<?xml version=\"1.0\"?>\n<TrainingCenterDatabase xmlns=\"http://www."
         "garmin.com/xmlschemas/TrainingCenterDatabase/v2\" "
         "xmlns:ns3=\"http://www."
         "garmin.com/xmlschemas/ActivityExtension/v2\">\n<Activities><Activity "
         "Sport=\"" +
         sport +
         "\"><Id>2020-01-01T00:00:00Z</Id>\n<Lap "
         "StartTime=\"2020-01-01T00:00:00Z\">"
         "<Track>\n" +
         trackpoints +
         "\n</Track></Lap></Activity></Activities>\n"
         "</TrainingCenterDatabase>\n";
}

bool HasWarning(const Activity& activity, const std::string& fragment) {
  for (const std::string& warning : activity.warnings) {
    if (absl::StrContains(warning, fragment)) return true;
  }
  return false;
}

std::string AllWarnings(const Activity& activity) {
  std::string all;
  for (const std::string& warning : activity.warnings)
    absl::StrAppend(&all, warning, "\n");
  return all;
}

TEST(GeneratedTcx, RoundTrips) {
  const std::vector<GenPoint> run = MakeRun(40);
  const std::string xml = MakeTcx(run);
  EXPECT_EQ(DetectFormat(xml), "tcx");
  const absl::StatusOr<Activity> activity = ParseTcx(xml);
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_EQ(activity->format, "tcx");
  EXPECT_EQ(activity->sport, "Running");
  EXPECT_EQ(activity->creator, "Generated Watch");
  EXPECT_EQ(activity->id_time_ms, kStartMs);
  EXPECT_TRUE(activity->warnings.empty()) << AllWarnings(*activity);
  ASSERT_EQ(activity->points.size(), run.size());
  for (size_t i = 0; i < run.size(); ++i) {
    const TrackPoint& p = activity->points[i];
    EXPECT_EQ(p.time_ms, run[i].time_ms);
    EXPECT_DOUBLE_EQ(*p.latitude_deg, run[i].lat);
    EXPECT_DOUBLE_EQ(*p.longitude_deg, run[i].lon);
    EXPECT_DOUBLE_EQ(*p.altitude_m, run[i].alt);
    EXPECT_DOUBLE_EQ(*p.distance_m, run[i].dist);
    EXPECT_DOUBLE_EQ(*p.heart_rate_bpm, run[i].hr);
    EXPECT_DOUBLE_EQ(*p.cadence_spm, 2 * run[i].strides);
    EXPECT_DOUBLE_EQ(*p.speed_mps, run[i].speed);
    EXPECT_DOUBLE_EQ(*p.power_w, run[i].watts);
    EXPECT_FALSE(p.temperature_c.has_value());
  }
  ASSERT_EQ(activity->laps.size(), 2u);
  for (int lap = 0; lap < 2; ++lap) {
    const Lap& l = activity->laps[lap];
    EXPECT_EQ(l.start_time_ms, run[lap * 20].time_ms);
    EXPECT_EQ(l.total_time_s, 300.5 + lap);
    EXPECT_EQ(l.distance_m, 1000.25 + lap);
    EXPECT_EQ(l.max_speed_mps, 4.5 + lap);
    EXPECT_EQ(l.calories, 80 + lap);
    EXPECT_EQ(l.average_heart_rate_bpm, 140 + lap);
    EXPECT_EQ(l.max_heart_rate_bpm, 170 + lap);
    EXPECT_EQ(l.average_speed_mps, 3.25 + lap);
    EXPECT_EQ(l.average_cadence_spm, 2 * (85 + lap));
    EXPECT_EQ(l.max_cadence_spm, 2 * (95 + lap));
    EXPECT_EQ(l.average_power_w, 250 + lap);
    EXPECT_EQ(l.max_power_w, 400 + lap);
  }
}

TEST(GeneratedTcx, WithoutNamespacesAndWithDefaultNamespaceTpx) {
  const std::string xml =
      "<TrainingCenterDatabase><Activities><Activity Sport=\"Other\">"
      "<Lap StartTime=\"2020-01-01T00:00:00Z\"><Track><Trackpoint>"
      "<Time>2020-01-01T00:00:01Z</Time><HeartRateBpm><Value>99</Value></"
      "HeartRateBpm>"
      "<Extensions><TPX "
      "xmlns=\"http://www.garmin.com/xmlschemas/ActivityExtension/v2\">"
      "<Speed>1.5</Speed><RunCadence>60</RunCadence></TPX></Extensions>"
      "</Trackpoint></Track></Lap></Activity></Activities></"
      "TrainingCenterDatabase>";
  const absl::StatusOr<Activity> activity = ParseTcx(xml);
  ASSERT_TRUE(activity.ok()) << activity.status();
  ASSERT_EQ(activity->points.size(), 1u);
  EXPECT_EQ(activity->sport, "Other");
  EXPECT_EQ(activity->points[0].time_ms, 1577836801000);
  EXPECT_EQ(activity->points[0].heart_rate_bpm, 99);
  EXPECT_EQ(activity->points[0].speed_mps, 1.5);
  EXPECT_EQ(activity->points[0].cadence_spm, 120);
  EXPECT_FALSE(activity->id_time_ms.has_value());
  EXPECT_EQ(activity->creator, "");
}

TEST(GeneratedTcx, ExtensionsInUnknownNamespacesAreIgnored) {
  const absl::StatusOr<Activity> activity = ParseTcx(TcxWith(
      "<Trackpoint><Time>2020-01-01T00:00:01Z</Time><Extensions>"
      "<foo:TPX "
      "xmlns:foo=\"urn:example:foo\"><foo:Speed>3</foo:Speed></foo:TPX>"
      "<ns3:TPX><foo:Watts xmlns:foo=\"urn:example:foo\">300</foo:Watts>"
      "<ns3:Watts>250</ns3:Watts></ns3:TPX></Extensions></Trackpoint>"));
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_FALSE(activity->points[0].speed_mps.has_value());
  EXPECT_EQ(activity->points[0].power_w, 250);
}

TEST(GeneratedTcx, DeclaredLatin1EncodingIsConvertedToUtf8) {
  std::string xml = MakeTcx(MakeRun(2));
  xml = absl::StrReplaceAll(xml,
                            {{"encoding=\"UTF-8\"", "encoding=\"ISO-8859-1\""},
                             {"Generated Watch",
                              "Montr\xE9"
                              "al Watch"}});
  const absl::StatusOr<Activity> activity = ParseTcx(xml);
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_EQ(activity->creator,
            "Montr\xC3\xA9"
            "al Watch");
}

TEST(GeneratedTcx, BikingCadenceIsPedalRpmAndNotStored) {
  const absl::StatusOr<Activity> activity = ParseTcx(TcxWith(
      "<Trackpoint><Time>2020-01-01T00:00:01Z</Time><Cadence>90</Cadence>"
      "<Extensions><ns3:TPX><ns3:Speed>25</ns3:Speed></ns3:TPX></Extensions></"
      "Trackpoint>",
      "Biking"));
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_EQ(activity->sport, "Biking");
  EXPECT_FALSE(activity->points[0].cadence_spm.has_value());
  // 25 m/s (90 km/h) is possible downhill on a bike, not on foot.
  EXPECT_EQ(activity->points[0].speed_mps, 25);
  EXPECT_TRUE(HasWarning(*activity, "pedal rpm")) << AllWarnings(*activity);
}

TEST(GeneratedTcx, RunningCoreCadenceCountsStrides) {
  const absl::StatusOr<Activity> activity =
      ParseTcx(TcxWith("<Trackpoint><Time>2020-01-01T00:00:01Z</"
                       "Time><Cadence>88</Cadence></Trackpoint>"));
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_EQ(activity->points[0].cadence_spm, 176);
}

TEST(GeneratedTcx, MultipleActivitiesAreMergedWithAWarning) {
  std::string xml = MakeTcx(MakeRun(4));
  const size_t start = xml.find("<Activity ");
  const size_t end = xml.find("</Activities>");
  xml.insert(end, absl::StrReplaceAll(xml.substr(start, end - start),
                                      {{"Running", "Biking"}}));
  const absl::StatusOr<Activity> activity = ParseTcx(xml);
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_EQ(activity->points.size(), 8u);
  EXPECT_EQ(activity->laps.size(), 4u);
  EXPECT_EQ(activity->sport, "Running");
  EXPECT_TRUE(HasWarning(*activity, "2 activities of different sports"))
      << AllWarnings(*activity);
}

TEST(GeneratedTcx, CourseTrackpointsAreNotActivityPoints) {
  const std::string xml =
      "<TrainingCenterDatabase xmlns=\"http://www.garmin.com/xmlschemas/"
      "TrainingCenterDatabase/v2\"><Courses><Course><Name>c</"
      "Name><Track><Trackpoint>"
      "<Time>2020-01-01T00:00:01Z</Time></Trackpoint></Track></Course></"
      "Courses>"
      "</TrainingCenterDatabase>";
  const absl::StatusOr<Activity> activity = ParseTcx(xml);
  EXPECT_EQ(activity.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(activity.status().message(), "no track points");
}

TEST(GeneratedGpx, RoundTrips) {
  const std::vector<GenPoint> run = MakeRun(40);
  const std::string xml = MakeGpx(run);
  EXPECT_EQ(DetectFormat(xml), "gpx");
  const absl::StatusOr<Activity> activity = ParseGpx(xml);
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_EQ(activity->format, "gpx");
  EXPECT_EQ(activity->sport, "running");
  EXPECT_EQ(activity->creator, "Generator 1.0");
  EXPECT_EQ(activity->id_time_ms, kStartMs - 5000);
  EXPECT_TRUE(activity->laps.empty());
  EXPECT_TRUE(activity->warnings.empty()) << AllWarnings(*activity);
  ASSERT_EQ(activity->points.size(), run.size());
  for (size_t i = 0; i < run.size(); ++i) {
    const TrackPoint& p = activity->points[i];
    EXPECT_EQ(p.time_ms, run[i].time_ms);
    EXPECT_DOUBLE_EQ(*p.latitude_deg, run[i].lat);
    EXPECT_DOUBLE_EQ(*p.longitude_deg, run[i].lon);
    EXPECT_DOUBLE_EQ(*p.altitude_m, run[i].alt);
    EXPECT_FALSE(p.distance_m.has_value());
    EXPECT_DOUBLE_EQ(*p.heart_rate_bpm, run[i].hr);
    EXPECT_DOUBLE_EQ(*p.cadence_spm, 2 * run[i].strides);
    EXPECT_DOUBLE_EQ(*p.speed_mps, run[i].speed);
    EXPECT_DOUBLE_EQ(*p.power_w, run[i].watts);
    EXPECT_DOUBLE_EQ(*p.temperature_c, run[i].temp);
  }
}

TEST(GeneratedGpx, CyclingCadenceIsNotStored) {
  const absl::StatusOr<Activity> activity =
      ParseGpx(MakeGpx(MakeRun(3), "cycling"));
  ASSERT_TRUE(activity.ok()) << activity.status();
  for (const TrackPoint& p : activity->points)
    EXPECT_FALSE(p.cadence_spm.has_value());
  EXPECT_TRUE(HasWarning(*activity, "3 cadence values of a cycling activity"))
      << AllWarnings(*activity);
}

TEST(GeneratedGpx, Gpx10WithClueTrustAndPlainExtensions) {
  const std::string xml =
      "<gpx version=\"1.0\" creator=\"old\" "
      "xmlns=\"http://www.topografix.com/GPX/1/0\" "
      "xmlns:gpxdata=\"http://www.cluetrust.com/XML/GPXDATA/1/0\">"
      "<time>2019-06-01T10:00:00+02:00</time><trk><trkseg>"
      "<trkpt lat=\"1.5\" "
      "lon=\"2.5\"><ele>3</ele><time>2019-06-01T08:00:01Z</time>"
      "<speed>3.5</speed><extensions><gpxdata:hr>150</gpxdata:hr>"
      "<gpxdata:cadence>85</gpxdata:cadence><gpxdata:temp>21.5</gpxdata:temp>"
      "<gpxdata:distance>12.5</gpxdata:distance><power>310</power></"
      "extensions></trkpt>"
      "</trkseg></trk></gpx>";
  const absl::StatusOr<Activity> activity = ParseGpx(xml);
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_EQ(activity->id_time_ms, 1559376000000);
  ASSERT_EQ(activity->points.size(), 1u);
  const TrackPoint& p = activity->points[0];
  EXPECT_EQ(p.time_ms, 1559376001000);
  EXPECT_EQ(p.speed_mps, 3.5);
  EXPECT_EQ(p.heart_rate_bpm, 150);
  EXPECT_EQ(p.cadence_spm, 170);
  EXPECT_EQ(p.temperature_c, 21.5);
  EXPECT_EQ(p.distance_m, 12.5);
  EXPECT_EQ(p.power_w, 310);
  EXPECT_EQ(activity->sport, "");
}

TEST(GeneratedGpx, TrackPointExtensionWinsOverPlainHeartrate) {
  const absl::StatusOr<Activity> activity = ParseGpx(GpxWith(
      "<trkpt lat=\"1\" lon=\"2\"><time>2020-01-01T00:00:00Z</time><extensions>"
      "<heartrate>88</heartrate><ns3:TrackPointExtension><ns3:hr>90</ns3:hr>"
      "</ns3:TrackPointExtension></extensions></trkpt>",
      " xmlns:ns3=\"http://www.garmin.com/xmlschemas/TrackPointExtension/"
      "v1\""));
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_EQ(activity->points[0].heart_rate_bpm, 90);
}

TEST(GeneratedGpx, UndeclaredPrefixIsToleratedUnknownNamespaceIgnored) {
  const absl::StatusOr<Activity> activity = ParseGpx(GpxWith(
      "<trkpt lat=\"1\" lon=\"2\"><time>2020-01-01T00:00:00Z</time><extensions>"
      "<gpxtpx:TrackPointExtension><gpxtpx:hr>150</gpxtpx:hr><gpxtpx:cad>80</"
      "gpxtpx:cad>"
      "</gpxtpx:TrackPointExtension><other:speed "
      "xmlns:other=\"urn:example:other\">9"
      "</other:speed></extensions></trkpt>"));
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_EQ(activity->points[0].heart_rate_bpm, 150);
  EXPECT_EQ(activity->points[0].cadence_spm, 160);
  EXPECT_FALSE(activity->points[0].speed_mps.has_value());
  EXPECT_TRUE(HasWarning(*activity, "without a namespace declaration"))
      << AllWarnings(*activity);
}

TEST(GeneratedGpx, RoutesAndWaypointsAreNotTrackPoints) {
  const std::string xml =
      "<gpx xmlns=\"http://www.topografix.com/GPX/1/1\"><wpt lat=\"1\" "
      "lon=\"2\">"
      "<time>2020-01-01T00:00:00Z</time></wpt><rte><rtept lat=\"1\" lon=\"2\">"
      "<time>2020-01-01T00:00:00Z</time></rtept></rte></gpx>";
  EXPECT_EQ(ParseGpx(xml).status().message(), "no track points");
}

TEST(GeneratedGpx, CdataAndWhitespaceAroundValues) {
  const absl::StatusOr<Activity> activity = ParseGpx(GpxWith(
      "<trkpt lat=\" 1.25 \" lon=\"2\">\n <ele> <![CDATA[12.5]]>\n</ele>"
      "<time>\n 2020-01-01T00:00:00Z \n</time></trkpt>"));
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_EQ(activity->points[0].latitude_deg, 1.25);
  EXPECT_EQ(activity->points[0].altitude_m, 12.5);
}

// ---------------------------------------------------------------------------
// Values: ranges, times, skipped points.

TEST(Values, OutOfRangeValuesAreDroppedWithWarnings) {
  const absl::StatusOr<Activity> activity = ParseTcx(TcxWith(
      "<Trackpoint><Time>2020-01-01T00:00:01Z</Time>"
      "<Position><LatitudeDegrees>91</LatitudeDegrees>"
      "<LongitudeDegrees>10</LongitudeDegrees></Position>"
      "<AltitudeMeters>0x10</AltitudeMeters><DistanceMeters>-5</DistanceMeters>"
      "<HeartRateBpm><Value>-72</Value></HeartRateBpm>"
      "<Extensions><ns3:TPX><ns3:Speed>431.0</ns3:Speed><ns3:RunCadence>255"
      "</ns3:RunCadence><ns3:Watts>nan</ns3:Watts></ns3:TPX></Extensions></"
      "Trackpoint>\n"
      "<Trackpoint><Time>2020-01-01T00:00:02Z</Time>"
      "<Position><LatitudeDegrees>45</LatitudeDegrees>"
      "<LongitudeDegrees>181</LongitudeDegrees></Position>"
      "<HeartRateBpm><Value>0</Value></HeartRateBpm><Cadence>inf</Cadence></"
      "Trackpoint>"));
  ASSERT_TRUE(activity.ok()) << activity.status();
  ASSERT_EQ(activity->points.size(), 2u);
  for (const TrackPoint& p : activity->points) {
    EXPECT_FALSE(p.latitude_deg.has_value());
    EXPECT_FALSE(p.longitude_deg.has_value());
    EXPECT_FALSE(p.altitude_m.has_value());
    EXPECT_FALSE(p.distance_m.has_value());
    EXPECT_FALSE(p.heart_rate_bpm.has_value());
    EXPECT_FALSE(p.speed_mps.has_value());
    EXPECT_FALSE(p.cadence_spm.has_value());
    EXPECT_FALSE(p.power_w.has_value());
  }
  const std::string all = AllWarnings(*activity);
  for (const char* expected : {
           "trackpoint 1 latitude 91.0 deg implausible: ignored",
           "trackpoint 1 has only one valid coordinate: position ignored",
           "trackpoint 1 altitude is not a number: ignored",
           "trackpoint 1 distance -5.0 m implausible: ignored",
           "trackpoint 1 heart rate -72.0 bpm implausible: ignored",
           "trackpoint 1 speed 431.0 m/s implausible: ignored",
           "trackpoint 1 cadence 510.0 steps/min implausible: ignored",
           "trackpoint 1 power is not a number: ignored",
           "trackpoint 2 longitude 181.0 deg implausible: ignored",
           "trackpoint 2 heart rate 0.0 bpm implausible: ignored",
           "trackpoint 2 cadence is not a number: ignored",
       }) {
    EXPECT_TRUE(absl::StrContains(all, expected)) << expected << "\nin:\n"
                                                  << all;
  }
}

TEST(Values, PointsWithoutValidTimeAreSkippedAndCounted) {
  const absl::StatusOr<Activity> activity = ParseGpx(GpxWith(
      "<trkpt lat=\"1\" lon=\"2\"><time>2020-01-01T00:00:00Z</time></trkpt>"
      "<trkpt lat=\"1\" lon=\"2\"></trkpt>"
      "<trkpt lat=\"1\" lon=\"2\"><time>2020-02-30T00:00:00Z</time></trkpt>"
      "<trkpt lat=\"1\" lon=\"2\"><time>2020-01-01T00:00:05Z</time></trkpt>"
      "<trkpt lat=\"1\" lon=\"2\"><time>2020-01-01T00:00:03Z</time></trkpt>"));
  ASSERT_TRUE(activity.ok()) << activity.status();
  ASSERT_EQ(activity->points.size(), 3u);
  EXPECT_EQ(activity->points[2].time_ms, 1577836803000);  // document order kept
  EXPECT_TRUE(HasWarning(
      *activity,
      "2 trackpoints without a valid time skipped (first: trackpoint 2)"))
      << AllWarnings(*activity);
  EXPECT_TRUE(
      HasWarning(*activity, "1 trackpoints earlier than the point before them"))
      << AllWarnings(*activity);
}

TEST(Values, OnlyTimelessPointsMeansNoTrackPoints) {
  const absl::StatusOr<Activity> activity = ParseTcx(
      TcxWith("<Trackpoint><HeartRateBpm><Value>99</Value></HeartRateBpm>"
              "</Trackpoint>"));
  EXPECT_EQ(activity.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(activity.status().message(), "no track points"))
      << activity.status();
}

TEST(Values, WarningsAreCapped) {
  std::string trkpts;
  for (int i = 0; i < 200; ++i) {
    trkpts +=
        "<trkpt lat=\"1\" lon=\"2\"><time>" + IsoTime(kStartMs + i * 1000) +
        "</time><extensions><heartrate>-1</heartrate></extensions></trkpt>\n";
  }
  const absl::StatusOr<Activity> activity = ParseGpx(GpxWith(trkpts));
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_EQ(activity->points.size(), 200u);
  EXPECT_EQ(activity->warnings.size(), 51u);
  EXPECT_EQ(activity->warnings.back(), "150 further warnings suppressed");
}

TEST(Values, OverlongTextIsNotANumber) {
  const absl::StatusOr<Activity> activity = ParseGpx(
      GpxWith("<trkpt lat=\"1\" lon=\"2\"><ele>" + std::string(100000, '1') +
              "</ele><time>2020-01-01T00:00:00Z</time></trkpt>"));
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_FALSE(activity->points[0].altitude_m.has_value());
  EXPECT_TRUE(HasWarning(*activity, "trackpoint 1 altitude is not a number"));
}

TEST(Values, TimesWithoutOffsetAreUtcWithOneWarning) {
  const absl::StatusOr<Activity> activity = ParseGpx(GpxWith(
      "<trkpt lat=\"1\" lon=\"2\"><time>2020-01-01T00:00:00</time></trkpt>"
      "<trkpt lat=\"1\" lon=\"2\"><time>2020-01-01T00:00:01</time></trkpt>"));
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_EQ(activity->points[0].time_ms, 1577836800000);
  ASSERT_EQ(activity->warnings.size(), 1u);
  EXPECT_EQ(activity->warnings[0], "2 times without a UTC offset read as UTC");
}

TEST(ParseDateTime, AcceptsIso8601Forms) {
  bool offset = false;
  EXPECT_EQ(ParseDateTimeMs("2012-12-26T21:29:53Z", &offset), 1356557393000);
  EXPECT_TRUE(offset);
  EXPECT_EQ(ParseDateTimeMs("2017-10-08T14:54:11.000Z"), 1507474451000);
  EXPECT_EQ(ParseDateTimeMs("2018-05-14T11:54:12+02:00"), 1526291652000);
  EXPECT_EQ(ParseDateTimeMs("2018-05-14T11:54:12+0200"), 1526291652000);
  EXPECT_EQ(ParseDateTimeMs("2018-05-14T11:54:12+02"), 1526291652000);
  EXPECT_EQ(ParseDateTimeMs("2018-05-14T04:24:12-05:30"), 1526291652000);
  EXPECT_EQ(ParseDateTimeMs("2018-05-14 09:54:12z"), 1526291652000);
  EXPECT_EQ(ParseDateTimeMs("2018-05-14T09:54:12.123456789Z"), 1526291652123);
  EXPECT_EQ(ParseDateTimeMs("2018-05-14T09:54:12.0005Z"), 1526291652001);
  EXPECT_EQ(ParseDateTimeMs("2018-05-14T09:54:12.9996Z"), 1526291653000);
  EXPECT_EQ(ParseDateTimeMs("2018-05-14T09:54:12,5Z"), 1526291652500);
  EXPECT_EQ(ParseDateTimeMs("  2018-05-14T09:54:12Z\n"), 1526291652000);
  EXPECT_EQ(ParseDateTimeMs("2016-12-31T23:59:60Z"),
            1483228800000);  // leap second
  EXPECT_EQ(ParseDateTimeMs("2020-02-29T00:00:00Z"), 1582934400000);
  EXPECT_EQ(ParseDateTimeMs("2018-05-14T09:54:12", &offset), 1526291652000);
  EXPECT_FALSE(offset);
}

TEST(ParseDateTime, RejectsMalformedAndImpossibleTimes) {
  for (const char* bad :
       {"", "2018", "2018-05-14", "2018-05-14T09:54Z", "2018-5-14T09:54:12Z",
        "2018-05-14T09:54:12.Z", "2018-05-14T09:54:12ZZ",
        "2018-05-14T09:54:12+2", "2018-05-14T09:54:12+25:00",
        "2019-02-29T00:00:00Z", "2018-13-01T00:00:00Z", "2018-04-31T00:00:00Z",
        "2018-05-14T24:00:00Z", "2018-05-14T09:60:00Z", "1969-12-31T23:59:59Z",
        "2100-01-01T00:00:00Z", "2018-05-14T09:54:12Z trailing",
        "２０18-05-14T09:54:12Z"}) {
    EXPECT_FALSE(ParseDateTimeMs(bad).has_value()) << bad;
  }
}

// ---------------------------------------------------------------------------
// Errors and hostile input.

TEST(Errors, NotWellFormedGivesLineNumberAndNoContent) {
  const std::string xml =
      "<?xml version=\"1.0\"?>\n<gpx "
      "xmlns=\"http://www.topografix.com/GPX/1/1\">\n"
      "<trk><name>SECRET-MARKER</name>\n<trkseg></trk>\n</gpx>\n";
  const absl::StatusOr<Activity> activity = ParseGpx(xml);
  EXPECT_EQ(activity.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(activity.status().message(), "at line 4"))
      << activity.status();
  EXPECT_FALSE(absl::StrContains(activity.status().message(), "SECRET"));
  EXPECT_FALSE(absl::StrContains(activity.status().message(), "trkseg"));
}

TEST(Errors, LineNumbersCountSkippedLeadingWhitespace) {
  const std::string xml = "\n\n<?xml version=\"1.0\"?>\n<gpx>\n</trk>\n";
  const absl::StatusOr<Activity> activity = ParseGpx(xml);
  EXPECT_EQ(activity.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(activity.status().message(), "at line 5"))
      << activity.status();
}

TEST(Errors, ByteOrderMarkAndLeadingWhitespaceAreTolerated) {
  const std::string xml = "\xEF\xBB\xBF \r\n\t" + MakeGpx(MakeRun(2));
  EXPECT_EQ(DetectFormat(xml), "gpx");
  const absl::StatusOr<Activity> activity = ParseGpx(xml);
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_EQ(activity->points.size(), 2u);
  EXPECT_TRUE(
      HasWarning(*activity, "whitespace before the XML declaration skipped"));
}

TEST(Errors, TruncatedAtEveryPositionFailsCleanly) {
  const std::string tcx = MakeTcx(MakeRun(6));
  const std::string gpx = MakeGpx(MakeRun(6));
  for (const std::string* doc : {&tcx, &gpx}) {
    const size_t full = doc->rfind('>') + 1;
    for (size_t cut = 0; cut < full; cut += 3) {
      const std::string part = doc->substr(0, cut);
      const absl::StatusOr<Activity> activity =
          doc == &tcx ? ParseTcx(part) : ParseGpx(part);
      ASSERT_EQ(activity.status().code(), absl::StatusCode::kInvalidArgument)
          << "cut at " << cut << ": " << activity.status();
      (void)DetectFormat(part);
    }
  }
}

TEST(Errors, CorruptedBytesNeverCrash) {
  const std::string original = MakeTcx(MakeRun(8));
  uint32_t state = 12345;
  for (int round = 0; round < 300; ++round) {
    std::string doc = original;
    for (int flips = 0; flips < 1 + round % 5; ++flips) {
      state = state * 1664525u + 1013904223u;
      const size_t at = state % doc.size();
      doc[at] = static_cast<char>(state >> 24);
    }
    const absl::StatusOr<Activity> activity = ParseTcx(doc);
    if (!activity.ok()) {
      EXPECT_EQ(activity.status().code(), absl::StatusCode::kInvalidArgument)
          << activity.status();
    }
    (void)ParseGpx(doc);
    (void)DetectFormat(doc);
  }
}

TEST(Errors, NotXmlAtAll) {
  for (const std::string& bytes :
       {std::string(), std::string("   \n  "), std::string("hello"),
        std::string("\x00\x01\x02\xff\xfe", 5), std::string("{\"json\": true}"),
        std::string("<?xml version=\"1.0\"?>")}) {
    EXPECT_EQ(ParseTcx(bytes).status().code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ParseGpx(bytes).status().code(),
              absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(DetectFormat(bytes), "");
  }
}

TEST(Errors, WrongRoot) {
  const absl::StatusOr<Activity> gpx_as_tcx = ParseTcx(MakeGpx(MakeRun(2)));
  EXPECT_EQ(gpx_as_tcx.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(gpx_as_tcx.status().message(),
            "root element at line 2 is not TrainingCenterDatabase (the "
            "document is GPX)");
  const absl::StatusOr<Activity> tcx_as_gpx = ParseGpx(MakeTcx(MakeRun(2)));
  EXPECT_EQ(tcx_as_gpx.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(tcx_as_gpx.status().message(),
                                "(the document is TCX)"));
  const absl::StatusOr<Activity> kml = ParseGpx(
      "<kml xmlns=\"http://www.opengis.net/kml/2.2\"><Document/></kml>");
  EXPECT_EQ(kml.status().message(), "root element at line 1 is not gpx");
  EXPECT_EQ(DetectFormat("<kml/>"), "");
}

TEST(Errors, LineNumbersPastLine65535) {
  const std::string xml = "<!--" + std::string(70000, '\n') + "-->\n<kml/>";
  EXPECT_EQ(ParseGpx(xml).status().message(),
            "root element at line 70002 is not gpx");
}

TEST(Errors, EmptyTrack) {
  EXPECT_EQ(ParseTcx(TcxWith("")).status().message(), "no track points");
  EXPECT_EQ(ParseGpx(GpxWith("")).status().message(), "no track points");
  EXPECT_EQ(ParseGpx("<gpx xmlns=\"http://www.topografix.com/GPX/1/1\"/>")
                .status()
                .message(),
            "no track points");
}

TEST(Errors, OversizeInputAndTooManyPoints) {
  const std::string xml = MakeGpx(MakeRun(100));
  ParseOptions small;
  small.max_bytes = xml.size() - 1;
  EXPECT_EQ(ParseGpx(xml, small).status().code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ParseTcx(xml, small).status().code(),
            absl::StatusCode::kResourceExhausted);
  small.max_bytes = xml.size();
  EXPECT_TRUE(ParseGpx(xml, small).ok());

  ParseOptions few;
  few.max_points = 99;
  const absl::StatusOr<Activity> gpx = ParseGpx(xml, few);
  EXPECT_EQ(gpx.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(gpx.status().message(), "more than 99 track points");
  EXPECT_EQ(ParseTcx(MakeTcx(MakeRun(100)), few).status().code(),
            absl::StatusCode::kResourceExhausted);
  few.max_points = 100;
  EXPECT_TRUE(ParseGpx(xml, few).ok());
}

TEST(Errors, DeepNestingHitsParserLimit) {
  std::string xml =
      "<gpx xmlns=\"http://www.topografix.com/GPX/1/1\"><extensions>";
  for (int i = 0; i < 5000; ++i) xml += "<a>";
  for (int i = 0; i < 5000; ++i) xml += "</a>";
  xml += "</extensions></gpx>";
  const absl::StatusOr<Activity> activity = ParseGpx(xml);
  EXPECT_EQ(activity.status().code(), absl::StatusCode::kInvalidArgument);
}

std::string BillionLaughs(const std::string& root, const std::string& use) {
  std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE " + root +
                    " [\n<!ENTITY lol \"lol\">\n";
  for (int i = 1; i <= 9; ++i) {
    xml += "<!ENTITY lol" + std::to_string(i) + " \"";
    for (int j = 0; j < 10; ++j) {
      xml += i == 1 ? "&lol;" : "&lol" + std::to_string(i - 1) + ";";
    }
    xml += "\">\n";
  }
  return xml + "]>\n" + use;
}

TEST(Hostile, BillionLaughsIsRefusedQuickly) {
  const auto start = std::chrono::steady_clock::now();
  const std::string in_text = BillionLaughs(
      "gpx",
      "<gpx "
      "xmlns=\"http://www.topografix.com/GPX/1/1\"><trk><name>&lol9;</name>"
      "<trkseg><trkpt lat=\"1\" lon=\"2\"><time>2020-01-01T00:00:00Z</time>"
      "</trkpt></trkseg></trk></gpx>");
  const std::string in_attribute = BillionLaughs(
      "gpx",
      "<gpx creator=\"&lol9;\"><trk><trkseg><trkpt lat=\"1\" lon=\"2\">"
      "<time>2020-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>");
  for (const std::string* doc : {&in_text, &in_attribute}) {
    const absl::StatusOr<Activity> activity = ParseGpx(*doc);
    EXPECT_EQ(activity.status().code(), absl::StatusCode::kInvalidArgument)
        << activity.status();
    EXPECT_EQ(DetectFormat(*doc), "");
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(Hostile, QuadraticBlowupIsRefused) {
  const std::string big(50000, 'x');
  std::string refs;
  for (int i = 0; i < 20000; ++i) refs += "&a;";
  const std::string xml =
      "<?xml version=\"1.0\"?><!DOCTYPE TrainingCenterDatabase [<!ENTITY a \"" +
      big +
      "\">]><TrainingCenterDatabase><Activities><Activity "
      "Sport=\"Running\"><Notes>" +
      refs + "</Notes></Activity></Activities></TrainingCenterDatabase>";
  const absl::StatusOr<Activity> activity = ParseTcx(xml);
  EXPECT_EQ(activity.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(activity.status().message(), "DOCTYPE"))
      << activity.status();
}

TEST(Hostile, ExternalEntitiesAreRefused) {
  const std::string general =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE gpx [<!ENTITY xxe SYSTEM "
      "\"file:///etc/passwd\">]>\n"
      "<gpx xmlns=\"http://www.topografix.com/GPX/1/1\" "
      "creator=\"x\"><trk><name>&xxe;</name>"
      "<trkseg><trkpt lat=\"1\" "
      "lon=\"2\"><time>2020-01-01T00:00:00Z</time></trkpt>"
      "</trkseg></trk></gpx>";
  const std::string in_creator = absl::StrReplaceAll(
      general,
      {{"creator=\"x\"", "creator=\"&xxe;\""}, {"<name>&xxe;</name>", ""}});
  const std::string parameter =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE gpx [<!ENTITY % xxe SYSTEM "
      "\"file:///etc/passwd\"> %xxe;]>\n<gpx><trk><trkseg><trkpt lat=\"1\" "
      "lon=\"2\">"
      "<time>2020-01-01T00:00:00Z</time></trkpt></trkseg></trk></gpx>";
  const std::string external_dtd =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE gpx SYSTEM "
      "\"http://127.0.0.1:9/evil.dtd\">\n"
      "<gpx><trk><trkseg><trkpt lat=\"1\" "
      "lon=\"2\"><time>2020-01-01T00:00:00Z</time>"
      "</trkpt></trkseg></trk></gpx>";
  for (const std::string* doc :
       {&general, &in_creator, &parameter, &external_dtd}) {
    const absl::StatusOr<Activity> activity = ParseGpx(*doc);
    EXPECT_EQ(activity.status().code(), absl::StatusCode::kInvalidArgument)
        << activity.status();
    EXPECT_FALSE(absl::StrContains(activity.status().message(), "root:"));
    EXPECT_EQ(DetectFormat(*doc), "");
  }
  // The same through the TCX entry point.
  EXPECT_EQ(ParseTcx(absl::StrReplaceAll(general,
                                         {{"gpx", "TrainingCenterDatabase"}}))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

// A FIFO without a writer blocks whoever opens it for reading: if libxml2
// ever opened an external entity or DTD, the parse would hang here.
TEST(Hostile, ExternalEntityFilesAreNeverOpened) {
  const std::filesystem::path fifo =
      std::filesystem::temp_directory_path() /
      absl::StrCat("gk_activity_xml_xxe_", getpid());
  std::filesystem::remove(fifo);
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  const std::string url = "file://" + fifo.string();
  const std::string body =
      "<gpx><trk><trkseg><trkpt lat=\"1\" lon=\"2\"><time>2020-01-01T00:00:00Z"
      "</time></trkpt></trkseg></trk></gpx>";
  const std::vector<std::string> docs = {
      "<!DOCTYPE gpx [<!ENTITY x SYSTEM \"" + url + "\">]>" +
          absl::StrReplaceAll(body, {{"<trk>", "<trk><name>&x;</name>"}}),
      "<!DOCTYPE gpx [<!ENTITY % x SYSTEM \"" + url + "\"> %x;]>" + body,
      "<!DOCTYPE gpx SYSTEM \"" + url + "\">" + body,
  };
  for (const std::string& doc : docs) {
    std::future<absl::StatusCode> code = std::async(
        std::launch::async, [&doc] { return ParseGpx(doc).status().code(); });
    if (code.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << "the parser opened " << url;
      close(open(fifo.c_str(), O_WRONLY | O_NONBLOCK));  // let it finish
    }
    EXPECT_EQ(code.get(), absl::StatusCode::kInvalidArgument);
  }
  std::filesystem::remove(fifo);
}

TEST(Hostile, BareDoctypeIsToleratedWithWarning) {
  const std::string xml =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE gpx>\n" +
      GpxWith(
          "<trkpt lat=\"1\" lon=\"2\"><time>2020-01-01T00:00:00Z"
          "</time></trkpt>")
          .substr(std::string("<?xml version=\"1.0\"?>\n").size());
  const absl::StatusOr<Activity> activity = ParseGpx(xml);
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_TRUE(HasWarning(*activity, "DOCTYPE without entities ignored"));
}

TEST(Hostile, XIncludeIsNotProcessed) {
  const absl::StatusOr<Activity> activity = ParseGpx(GpxWith(
      "<trkpt lat=\"1\" lon=\"2\"><time>2020-01-01T00:00:00Z</time><extensions>"
      "<hr><xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" "
      "href=\"file:///etc/hostname\" "
      "parse=\"text\"/></hr></extensions></trkpt>"));
  ASSERT_TRUE(activity.ok()) << activity.status();
  EXPECT_FALSE(activity->points[0].heart_rate_bpm.has_value());
  EXPECT_TRUE(HasWarning(*activity, "trackpoint 1 heart rate is not a number"));
}

TEST(Hostile, UndeclaredEntityIsNotWellFormed) {
  const absl::StatusOr<Activity> activity = ParseGpx(
      GpxWith("<trkpt lat=\"1\" "
              "lon=\"2\"><time>2020-01-01T00:00:00Z</time><name>&nope;</name>"
              "</trkpt>"));
  EXPECT_EQ(activity.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(
      absl::StrContains(activity.status().message(), "undeclared entity"))
      << activity.status();
}

TEST(Concurrency, ParsesInParallelThreads) {
  const std::string tcx = MakeTcx(MakeRun(300));
  const std::string gpx = MakeGpx(MakeRun(300));
  const std::string broken = tcx.substr(0, tcx.size() / 2);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        if (!ParseTcx(tcx).ok() || !ParseGpx(gpx).ok() ||
            ParseTcx(broken).ok() || DetectFormat(gpx) != "gpx") {
          ++failures[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

TEST(DetectFormatTest, SniffsTheRoot) {
  EXPECT_EQ(DetectFormat(MakeTcx(MakeRun(2))), "tcx");
  EXPECT_EQ(DetectFormat(MakeGpx(MakeRun(2))), "gpx");
  EXPECT_EQ(DetectFormat("<gpx/>"), "gpx");
  EXPECT_EQ(DetectFormat("<!-- c --><?pi x?><TrainingCenterDatabase/>"), "tcx");
  EXPECT_EQ(
      DetectFormat("<x:gpx xmlns:x=\"http://www.topografix.com/GPX/1/1\"/>"),
      "gpx");
  EXPECT_EQ(DetectFormat("<GPX/>"), "");
  EXPECT_EQ(DetectFormat("<html><body>gpx</body></html>"), "");
  // Broken after the root start tag, near it or far from it.
  EXPECT_EQ(DetectFormat("<gpx>" + std::string(8192, ' ') + "<trk></gpx>"),
            "gpx");
  EXPECT_EQ(DetectFormat("<gpx><trk></gpx>"), "gpx");
  EXPECT_EQ(DetectFormat("<TrainingCenterDatabase a='>'><Activities></x>"),
            "tcx");
  EXPECT_EQ(DetectFormat("<gpx>\x01</gpx>"), "gpx");
  EXPECT_EQ(DetectFormat("<!-- <gpx> --><kml><x></kml>"), "");
  EXPECT_EQ(DetectFormat("<?xml version=\"1.0\"?><gpx"), "");
}

TEST(DetectFormatTest, StopsAtTheRoot) {
  std::string huge = "<gpx>";
  for (int i = 0; i < 200000; ++i) huge += "<trkpt lat=\"1\" lon=\"2\"/>";
  huge += "</gpx>";
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) EXPECT_EQ(DetectFormat(huge), "gpx");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
}

}  // namespace
}  // namespace gaitkeeper::ingestion::activity_xml
