// Registry: the store itself, its durability across reopen, and refusing bad data dirs.
#include "registry.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>
#include <vector>

#include "sqlite_registry.hpp"
#include "temp_dir.hpp"

namespace gateway {
namespace {

using namespace std::chrono_literals;
using crnp::testing::TempDir;

crnp::EventType membership() { return {"EC_Cluster", "ESC_cluster_membership", {}}; }
crnp::EventType rgState(const std::string& group) {
  return {"EC_Cluster", "ESC_cluster_rg_state", {{"rg_name", {group}}}};
}

RegistrationRecord record(const std::string& id, std::vector<crnp::EventType> types) {
  // Nanosecond precision on purpose: the store must not round times.
  const auto created = std::chrono::system_clock::time_point(1'700'000'000'123'456'789ns);
  return {id, std::move(types), created, created + 42s + 1ns};
}

std::unique_ptr<Registry> openOrFail(const std::string& dir) {
  auto opened = SqliteRegistry::open(dir);
  EXPECT_TRUE(opened.registry) << opened.error;
  return std::move(opened.registry);
}

// Runs one statement on the file while no Registry holds it.
void execOnFile(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST(Registry, InMemoryPutGetListRemove) {
  auto registry = openOrFail("");
  ASSERT_TRUE(registry);
  EXPECT_EQ(registry->size(), 0u);
  EXPECT_FALSE(registry->get("a"));

  ASSERT_FALSE(registry->put(record("b", {membership()})));
  ASSERT_FALSE(registry->put(record("a", {rgState("g1"), membership()})));
  EXPECT_EQ(registry->size(), 2u);
  EXPECT_EQ(registry->get("a"), record("a", {rgState("g1"), membership()}));
  EXPECT_EQ(registry->typesOf("b"), std::vector<crnp::EventType>{membership()});
  EXPECT_FALSE(registry->typesOf("c"));

  const auto all = registry->list();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, "a");  // ordered by id
  EXPECT_EQ(all[1].id, "b");

  ASSERT_FALSE(registry->put(record("a", {rgState("g2")})));  // replaces
  EXPECT_EQ(registry->get("a")->types, std::vector<crnp::EventType>{rgState("g2")});

  ASSERT_FALSE(registry->remove("a"));
  ASSERT_FALSE(registry->remove("a"));  // absent: no-op
  EXPECT_FALSE(registry->get("a"));
  EXPECT_EQ(registry->size(), 1u);
}

TEST(Registry, SurvivesReopenOfTheSameDataDir) {
  TempDir dir;
  const auto full = record("with.all-kinds_of", {
                                                    membership(),
                                                    rgState("ü-group \"quoted\" <x>"),
                                                    {"EC_Other", "", {{"a", {"1", "2", ""}}}},
                                                });
  {
    auto registry = openOrFail(dir.string());
    ASSERT_TRUE(registry);
    ASSERT_FALSE(registry->put(full));
    ASSERT_FALSE(registry->put(record("removed", {membership()})));
    ASSERT_FALSE(registry->put(record("replaced", {membership()})));
    ASSERT_FALSE(registry->put(record("replaced", {rgState("new")})));
    ASSERT_FALSE(registry->remove("removed"));
  }
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "registrations.db"));

  auto reopened = openOrFail(dir.string());
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->size(), 2u);
  EXPECT_EQ(reopened->get("with.all-kinds_of"), full);
  EXPECT_EQ(reopened->get("replaced")->types, std::vector<crnp::EventType>{rgState("new")});
  EXPECT_FALSE(reopened->get("removed"));
}

TEST(Registry, UsesWalAndCreatesMissingDirectories) {
  TempDir dir;
  const auto nested = dir.path() / "a" / "b";
  { ASSERT_TRUE(openOrFail(nested.string())); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((nested / "registrations.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), SqliteRegistry::kSchemaVersion);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(Registry, SecondOpenOfALiveDataDirFails) {
  TempDir dir;
  auto first = openOrFail(dir.string());
  ASSERT_TRUE(first);
  ASSERT_FALSE(first->put(record("x", {membership()})));
  const auto second = SqliteRegistry::open(dir.string());
  EXPECT_FALSE(second.registry);
  EXPECT_NE(second.error.find("in use"), std::string::npos) << second.error;
  // The first one still works.
  EXPECT_FALSE(first->put(record("y", {membership()})));
}

TEST(Registry, UnusableDataDirIsAnError) {
  TempDir dir;
  const auto file = dir.path() / "plain-file";
  std::ofstream(file) << "not a directory";
  const auto opened = SqliteRegistry::open((file / "data").string());
  EXPECT_FALSE(opened.registry);
  EXPECT_NE(opened.error.find("plain-file"), std::string::npos) << opened.error;
}

TEST(Registry, CorruptFileIsAnError) {
  TempDir dir;
  std::ofstream(dir.path() / "registrations.db", std::ios::binary)
      << std::string(4096, 'x') << "definitely not SQLite";
  const auto opened = SqliteRegistry::open(dir.string());
  EXPECT_FALSE(opened.registry);
  EXPECT_NE(opened.error.find("registrations.db"), std::string::npos) << opened.error;
}

TEST(Registry, NewerSchemaVersionIsAnError) {
  TempDir dir;
  execOnFile(dir.path() / "registrations.db", "PRAGMA user_version = 7");
  const auto opened = SqliteRegistry::open(dir.string());
  EXPECT_FALSE(opened.registry);
  EXPECT_NE(opened.error.find("schema version 7"), std::string::npos) << opened.error;
}

TEST(Registry, UnreadableRowIsAnErrorNamingIt) {
  TempDir dir;
  { ASSERT_FALSE(openOrFail(dir.string())->put(record("bad-row", {membership()}))); }
  execOnFile(dir.path() / "registrations.db",
             "UPDATE registrations SET event_types = '[{\"class\": 5}]'");
  const auto opened = SqliteRegistry::open(dir.string());
  EXPECT_FALSE(opened.registry);
  EXPECT_NE(opened.error.find("bad-row"), std::string::npos) << opened.error;
}

TEST(Registry, PutThatCannotBeEncodedChangesNothing) {
  auto registry = openOrFail("");
  ASSERT_FALSE(registry->put(record("a", {membership()})));
  const auto error = registry->put(record("a", {rgState("\xff\xfe")}));
  ASSERT_TRUE(error);
  EXPECT_EQ(registry->get("a")->types, std::vector<crnp::EventType>{membership()});
}

TEST(Registry, ConcurrentWritersAndReaders) {
  TempDir dir;
  auto registry = openOrFail(dir.string());
  ASSERT_TRUE(registry);
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        EXPECT_FALSE(registry->put(record(id, {rgState(id)})));
        EXPECT_TRUE(registry->get(id));
        registry->list();
        if (i % 2 == 1) {
          EXPECT_FALSE(registry->remove(id));
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(registry->size(), static_cast<std::size_t>(kThreads * (kEach - kEach / 2)));
  registry.reset();
  EXPECT_EQ(openOrFail(dir.string())->size(),
            static_cast<std::size_t>(kThreads * (kEach - kEach / 2)));
}

}  // namespace
}  // namespace gateway

namespace gateway {
namespace {

// Readers never wait for a writer: while a put is stuck inside its write (as an fsync may
// be), get/typesOf/list/size answer at once with the last committed state.
TEST(Registry, ReadersDoNotWaitForAWriteInProgress) {
  std::promise<void> writing;
  std::promise<void> release;
  auto released = release.get_future().share();
  SqliteRegistry::Hooks hooks;
  hooks.duringWrite = [&writing, released]() mutable {
    writing.set_value();
    released.wait();
  };
  auto opened = SqliteRegistry::open("", std::move(hooks));
  ASSERT_TRUE(opened.registry) << opened.error;
  Registry& registry = *opened.registry;

  std::thread writer([&] { EXPECT_FALSE(registry.put(record("a", {membership()}))); });
  writing.get_future().wait();
  auto reads = std::async(std::launch::async, [&] {
    EXPECT_FALSE(registry.get("a"));
    EXPECT_FALSE(registry.typesOf("a"));
    EXPECT_TRUE(registry.list().empty());
    return registry.size();
  });
  const bool answered = reads.wait_for(10s) == std::future_status::ready;
  release.set_value();
  writer.join();
  ASSERT_TRUE(answered) << "a reader waited for the write in progress";
  EXPECT_EQ(reads.get(), 0u);
  EXPECT_EQ(registry.get("a"), record("a", {membership()}));
}

}  // namespace
}  // namespace gateway
