#pragma once
// Scrapes a Prometheus text endpoint over HTTP on loopback and looks samples up by name and
// labels, as a monitoring system would read them.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace crnp::testing {

struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

class Scrape {
 public:
  /// GET http://<hostPort>/metrics; status 0 when the connection failed.
  static Scrape fetch(const std::string& hostPort) {
    namespace asio = boost::asio;
    Scrape scrape;
    try {
      asio::io_context io;
      asio::ip::tcp::resolver resolver(io);
      const auto colon = hostPort.rfind(':');
      asio::ip::tcp::socket socket(io);
      asio::connect(socket,
                    resolver.resolve(hostPort.substr(0, colon), hostPort.substr(colon + 1)));
      const std::string request =
          "GET /metrics HTTP/1.0\r\nHost: " + hostPort + "\r\nAccept: text/plain\r\n\r\n";
      asio::write(socket, asio::buffer(request));
      std::string response;
      boost::system::error_code ec;
      asio::read(socket, asio::dynamic_buffer(response), ec);  // to EOF (HTTP/1.0)
      const auto headerEnd = response.find("\r\n\r\n");
      if (response.rfind("HTTP/1.", 0) != 0 || headerEnd == std::string::npos) return scrape;
      scrape.status = std::stoi(response.substr(9, 3));
      scrape.body = response.substr(headerEnd + 4);
      scrape.parse();
    } catch (const std::exception&) {
      scrape.status = 0;
    }
    return scrape;
  }

  /// The value of the one sample of `name` whose labels include `labels`; nullopt when there
  /// is none (or more than one).
  std::optional<double> value(const std::string& name,
                              const std::map<std::string, std::string>& labels = {}) const {
    std::optional<double> found;
    for (const auto& sample : samples) {
      if (sample.name != name || !includes(sample.labels, labels)) continue;
      if (found) return std::nullopt;
      found = sample.value;
    }
    return found;
  }
  /// The samples of `name` whose labels include `labels`.
  std::vector<Sample> all(const std::string& name,
                          const std::map<std::string, std::string>& labels = {}) const {
    std::vector<Sample> out;
    for (const auto& sample : samples) {
      if (sample.name == name && includes(sample.labels, labels)) out.push_back(sample);
    }
    return out;
  }
  bool hasFamily(const std::string& name, const std::string& type) const {
    return body.find("# TYPE " + name + " " + type + "\n") != std::string::npos;
  }

  int status = 0;
  std::string body;
  std::vector<Sample> samples;

 private:
  static bool includes(const std::map<std::string, std::string>& have,
                       const std::map<std::string, std::string>& want) {
    for (const auto& [key, value] : want) {
      auto it = have.find(key);
      if (it == have.end() || it->second != value) return false;
    }
    return true;
  }

  // name{a="x",b="y"} value   (label values as the exposition format escapes them)
  void parse() {
    std::istringstream lines(body);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty() || line[0] == '#') continue;
      Sample sample;
      std::size_t i = line.find_first_of("{ ");
      if (i == std::string::npos) continue;
      sample.name = line.substr(0, i);
      if (line[i] == '{') {
        ++i;
        while (i < line.size() && line[i] != '}') {
          const auto eq = line.find('=', i);
          if (eq == std::string::npos || eq + 1 >= line.size() || line[eq + 1] != '"') return;
          const std::string key = line.substr(i, eq - i);
          std::string value;
          std::size_t j = eq + 2;
          for (; j < line.size() && line[j] != '"'; ++j) {
            if (line[j] == '\\' && j + 1 < line.size()) ++j;
            value += line[j];
          }
          sample.labels[key] = value;
          i = j + 1;
          if (i < line.size() && line[i] == ',') ++i;
        }
        ++i;  // '}'
      }
      try {
        sample.value = std::stod(line.substr(i));
      } catch (const std::exception&) {
        continue;
      }
      samples.push_back(std::move(sample));
    }
  }
};

}  // namespace crnp::testing
