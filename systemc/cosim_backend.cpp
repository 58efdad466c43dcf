#include "systemc/cosim_backend.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "core/error.hpp"
#include "systemc/cosim.hpp"

namespace anvil::cosim {

namespace fs = std::filesystem;

namespace {

void write_child(const fs::path& p, const CosimResult& r) {
  std::ofstream o(p, std::ios::binary);
  if (!o) throw Error(p.string(), "", "cannot write the co-simulation result");
  auto put = [&](const auto& v) { o.write(reinterpret_cast<const char*>(&v), sizeof v); };
  put(r.cycles);
  put(r.array.pulses);
  put(r.array.reads);
  put(r.simulated_ns);
  const double e = r.array.energy_pj();
  put(e);
  put(r.array.program_energy_pj);
  put(r.wall_s);
  const uint64_t n = r.segments.size();
  put(n);
  for (const auto& s : r.segments) {
    const uint64_t m = s.decoded.size();
    put(m);
    o.write(reinterpret_cast<const char*>(s.decoded.data()),
            static_cast<std::streamsize>(m * sizeof(int32_t)));
  }
}

flow::BackendTrial read_child(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  flow::BackendTrial r;
  auto get = [&](auto& v) { in.read(reinterpret_cast<char*>(&v), sizeof v); };
  get(r.cycles);
  get(r.pulses);
  get(r.reads);
  get(r.simulated_ns);
  get(r.energy_pj);
  get(r.program_energy_pj);
  get(r.wall_s);
  uint64_t n = 0;
  get(n);
  r.decoded.resize(n);
  for (auto& d : r.decoded) {
    uint64_t m = 0;
    get(m);
    d.resize(m);
    in.read(reinterpret_cast<char*>(d.data()), static_cast<std::streamsize>(m * sizeof(int32_t)));
  }
  if (!in) throw Error(p.string(), "", "co-simulation child result truncated");
  return r;
}

}  // namespace

void CosimBackend::set_array(const flow::CostTech& tech, const core::ArrayCost& array) {
  array_cost_ = tech_pcm_array_cost(array, tech.cell);
}

std::optional<double> CosimBackend::pulse_energy_pj(const core::Cell& cell) const {
  if (!array_cost_) return std::nullopt;
  return array_cost_->pulse_energy_pj() +
         (cell.spec().verify.enabled ? array_cost_->read_energy_pj() : 0.0);
}

std::string CosimBackend::unsupported(const core::Allocation& a) const {
  if (!cosim_available()) return "this build has no Verilated RTL";
  for (const auto& seg : a.segments)
    if (std::string why = cosim_unsupported(seg.params); !why.empty()) return why;
  return "";
}

flow::BackendTrial CosimBackend::store_and_read(const core::Cell& cell, const core::Allocation& a,
                                                const std::vector<std::string>& names,
                                                const core::RandomStream& noise,
                                                const std::string& trace_file) {
  std::vector<CosimSegment> segs;
  for (size_t i = 0; i < a.segments.size(); ++i) {
    const auto& seg = a.segments[i];
    CosimReferences ref;  // decode: ref: the array holds the reference cells too
    for (uint32_t d : core::reference_dacs(a, seg)) ref.dacs.push_back(static_cast<uint16_t>(d));
    if (!ref.dacs.empty()) {
      ref.base_cell = seg.ref_base;
      ref.tables = [&a, &seg, &cell](std::span<const uint32_t> adc) {
        return core::params_from_references(a, seg, cell, adc);
      };
    }
    segs.push_back({names[i], seg.params, seg.codes, seg.base_cell, ref});
  }
  CosimOptions opt;
  opt.trace_file = trace_file;
  if (array_cost_) opt.array.cost = array_cost_;
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw Error("", "cosim", "fork failed");
  if (pid == 0) {
    int rc = 0;
    try {
      write_child(scratch_, run_cosim(cell, segs, noise, opt));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "anvil: error: %s\n", e.what());
      rc = 2;
    }
    std::fflush(nullptr);
    ::_exit(rc);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error("", "cosim", "co-simulation failed (see the line above)");
  flow::BackendTrial r = read_child(scratch_);
  fs::remove(scratch_);
  return r;
}

}  // namespace anvil::cosim
