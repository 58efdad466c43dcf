// Non-finite check, report side (issue 14): a trial whose inference produced a NaN or Inf is
// flagged in report.json (accuracy.nonfinite_trials, with the first node) and counted in
// results.csv's nonfinite_trials column. (The check itself: nonfinite_test.)
#define BOOST_TEST_MODULE nonfinite_report
#include <boost/test/unit_test.hpp>

#include <string>

#include "flow/report.hpp"

BOOST_AUTO_TEST_CASE(report_flags_nonfinite_trials) {
  anvil::flow::Report r;
  anvil::flow::SchemeResult s;
  s.name = "naive";
  s.kind = "analog";
  s.trial_accuracy = {0.9, 0.1, 0.1};
  s.trial_nonfinite = {"", "fc2 (Linear)", "fc1 (Linear)"};
  r.rows.push_back(s);
  BOOST_TEST(s.nonfinite_trials() == 2u);
  const auto j = anvil::flow::to_json(r);
  const auto& flagged = j["schemes"][0]["accuracy"]["nonfinite_trials"];
  BOOST_TEST(flagged.size() == 2u);
  BOOST_TEST(flagged[0]["trial"].get<int>() == 1);
  BOOST_TEST(flagged[0]["node"].get<std::string>() == "fc2 (Linear)");
  BOOST_TEST(j["schemes"][0]["noise_free_nonfinite"].is_null());
  const std::string csv = anvil::flow::to_csv(r);
  const std::string header = csv.substr(0, csv.find('\n'));
  BOOST_TEST(header.substr(header.rfind(',') + 1) == "nonfinite_trials");
  const std::string row = csv.substr(csv.find('\n') + 1);
  BOOST_TEST(row.substr(row.rfind(',') + 1) == "2\n");
}
