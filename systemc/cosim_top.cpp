#include "systemc/cosim_top.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <utility>

#include "core/codec_rtl.hpp"
#include "core/error.hpp"

#if ANVIL_HAVE_RTL
#include <verilated.h>
#include "cosim_variants.hpp"
#if ANVIL_COSIM_TRACE_FST
#include <verilated_fst_sc.h>
#else
#include <verilated_vcd_sc.h>
#endif
#else
#define ANVIL_COSIM_FOR_EACH_VARIANT(X)
#define ANVIL_COSIM_DAC_BITS 0
#define ANVIL_COSIM_ADC_BITS 0
#define ANVIL_COSIM_SOFT_FRAC_BITS 0
#define ANVIL_COSIM_TRACE_FST 0
#endif

namespace anvil::cosim {

namespace {

// One Verilated parameterisation (a row of systemc/cosim_variants.cmake).
struct VariantShape {
  const char* name;
  uint32_t levels, split, replicas, sign_cell, sign_replicas, combine;  // combine 0 mean, 1 median
};

constexpr VariantShape kVariants[] = {
#define ANVIL_VARIANT_ROW(n, l, k, r, s, sr, c) {#n, l, k, r, s, sr, c},
    ANVIL_COSIM_FOR_EACH_VARIANT(ANVIL_VARIANT_ROW)
#undef ANVIL_VARIANT_ROW
        {nullptr, 0, 0, 0, 0, 0, 0}};
constexpr size_t kNumVariants = sizeof(kVariants) / sizeof(kVariants[0]) - 1;

constexpr uint32_t kCombineMean = core::kRtlCombineMean;
constexpr uint32_t kCombineMl = core::kRtlCombineMl;

bool shape_matches(const VariantShape& v, const core::CodecParams& p) {
  if (v.levels != p.shape.levels || v.split != p.shape.split || v.replicas != p.shape.replicas)
    return false;
  if ((v.sign_cell != 0) != p.shape.sign_cell) return false;
  if (p.shape.sign_cell && v.sign_replicas != p.shape.sign_replicas) return false;
  if (v.combine == kCombineMl) return p.shape.combine == core::Combine::kMl;  // it loads adc_llr
  if (p.shape.replicas == 1) return true;  // every combiner is a table lookup
  if (p.shape.combine == core::Combine::kMean) return v.combine == kCombineMean;
  if (p.shape.combine == core::Combine::kMedian) return v.combine == core::kRtlCombineMedian;
  return v.combine == kCombineMl;
}

const VariantShape* find_variant(const core::CodecParams& p) {
  for (size_t i = 0; i < kNumVariants; ++i)
    if (shape_matches(kVariants[i], p)) return &kVariants[i];
  return nullptr;
}

std::string describe(const core::CodecParams& p) {
  return "L=" + std::to_string(p.shape.levels) + " k=" + std::to_string(p.shape.split) +
         " r=" + std::to_string(p.shape.replicas) + " sign=" + (p.shape.sign_cell ? "yes" : "no") +
         (p.shape.sign_cell ? " sign_replicas=" + std::to_string(p.shape.sign_replicas) : "") +
         " combine=" + core::to_string(p.shape.combine);
}

using CfgWrites = std::vector<core::RtlCfgWrite>;

// The configuration-port writes that load `p` into a lane of shape `v`: the codec as the
// variant's wider decoder sees it (soft values at the variant's fraction bits; with one
// replica, the digit each code decodes to, in the variant's own table), through the one
// register map of core::encoder_cfg_writes / decoder_cfg_writes.
void table_writes(const VariantShape& v, const core::CodecParams& p, CfgWrites* enc,
                  CfgWrites* dec) {
  core::CodecParams q = p;
  const uint32_t fv = ANVIL_COSIM_SOFT_FRAC_BITS;
  const uint32_t adcs = 1u << p.adc_bits;
  if (v.combine != kCombineMl && p.shape.replicas == 1) {
    q.shape.combine = v.combine == kCombineMean ? core::Combine::kMean : core::Combine::kMedian;
    q.adc_digit.assign(adcs, 0);
    q.adc_soft.assign(adcs, 0);
    for (uint32_t a = 0; a < adcs; ++a) {
      q.adc_digit[a] = core::decode_digit(p, std::span<const uint32_t>(&a, 1));
      q.adc_soft[a] = q.adc_digit[a] << fv;
    }
  } else if (v.combine == kCombineMean) {
    for (uint32_t a = 0; a < adcs; ++a) q.adc_soft[a] = p.adc_soft[a] << (fv - p.soft_frac_bits);
  }
  q.soft_frac_bits = fv;
  *enc = core::encoder_cfg_writes(q);
  *dec = core::decoder_cfg_writes(q, {ANVIL_COSIM_ADC_BITS, core::kRtlLlrBits});
}

// Bit fields of Verilated port values (uint32_t, uint64_t, bool or sc_bv<N>).
template <class T>
uint64_t get_bits(const T& v, unsigned lsb, unsigned width) {
  if constexpr (std::is_integral_v<T>) {
    const uint64_t mask = width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
    return (static_cast<uint64_t>(v) >> lsb) & mask;
  } else {
    return v.range(lsb + width - 1, lsb).to_uint64();
  }
}

template <class T>
void set_bits(T& v, unsigned lsb, unsigned width, uint64_t x) {
  if constexpr (std::is_same_v<T, bool>) {
    v = (x & 1) != 0;
  } else if constexpr (std::is_integral_v<T>) {
    const uint64_t mask = width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
    v = static_cast<T>((static_cast<uint64_t>(v) & ~(mask << lsb)) | ((x & mask) << lsb));
  } else {
    v.range(lsb + width - 1, lsb) = x;
  }
}

template <class Port>
using port_data_t = typename std::remove_reference_t<Port>::data_type;

}  // namespace

#if ANVIL_HAVE_RTL
#if ANVIL_COSIM_TRACE_FST
using TraceFile = VerilatedFstSc;
#else
using TraceFile = VerilatedVcdSc;
#endif
#else
struct TraceFile {};
#endif

struct cosim_top::Trace {
  std::unique_ptr<TraceFile> file;
};

// A lane's RTL adapter: the Verilated encoder and decoder of one variant, their configuration
// ports and valid/ready handshakes (see cosim_top.hpp); the array side is top.bridge().
class CosimLane : public sc_core::sc_module {
 public:
  CosimLane(sc_core::sc_module_name n, const VariantShape& v) : sc_module(n), shape_(v) {}
  const VariantShape& shape() const { return shape_; }
  // Starts segment `segment` with codec `params` (its tables re-fitted from `reference_adc`
  // when it has reference cells).
  virtual void begin(size_t segment, core::CodecParams params,
                     std::vector<uint32_t> reference_adc) = 0;
  // The lane's (gated) clock input of its models, written by the top's clock driver.
  void clock(bool level) { clk_.write(level); }
  // One rising edge of the active lane (called by the top after its own edge work).
  virtual void tick() = 0;
  virtual void add_trace(TraceFile* tfp) = 0;
  virtual void final_models() = 0;

 protected:
  // Raised by drive_clock, lowered by it or (without waves) by on_clock: two writers.
  sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS> clk_{"clk"};

 private:
  VariantShape shape_;
};

namespace {

template <class Enc, class Dec>
class RtlAdapter final : public CosimLane {
  using EncAddr = port_data_t<decltype(std::declval<Enc&>().cfg_addr_i)>;
  using EncData = port_data_t<decltype(std::declval<Enc&>().cfg_wdata_i)>;
  using Code = port_data_t<decltype(std::declval<Enc&>().code_i)>;
  using Dac = port_data_t<decltype(std::declval<Enc&>().dac_o)>;
  using DecAddr = port_data_t<decltype(std::declval<Dec&>().cfg_addr_i)>;
  using DecData = port_data_t<decltype(std::declval<Dec&>().cfg_wdata_i)>;
  using Adc = port_data_t<decltype(std::declval<Dec&>().adc_i)>;
  using CodeOut = port_data_t<decltype(std::declval<Dec&>().code_o)>;

 public:
  RtlAdapter(sc_core::sc_module_name n, const VariantShape& v, cosim_top& top)
      : CosimLane(n, v), top_(top), bridge_(top.bridge()), enc_("enc"), dec_("dec") {
    bind_control(enc_, clk_, top.rst_n, enc_cfg_we_, enc_cfg_addr_, enc_cfg_wdata_, enc_valid_i_,
                 enc_ready_o_, enc_valid_o_, enc_ready_i_);
    enc_.code_i(code_i_);
    enc_.dac_o(dac_o_);
    bind_control(dec_, clk_, top.rst_n, dec_cfg_we_, dec_cfg_addr_, dec_cfg_wdata_, dec_valid_i_,
                 dec_ready_o_, dec_valid_o_, dec_ready_i_);
    dec_.adc_i(adc_i_);
    dec_.code_o(code_o_);
    dec_ready_i_.write(true);  // the collector always takes a decoded weight
  }

  void begin(size_t segment, core::CodecParams params,
             std::vector<uint32_t> reference_adc) override {
    seg_ = &top_.segment(segment);
    result_ = {};
    result_.reference_adc = std::move(reference_adc);
    table_writes(shape(), params, &enc_cfg_, &dec_cfg_);
    cpw_ = core::cells_per_weight(params);
    code_bits_ = core::code_bits(params);
    bridge_.begin(seg_->base_cell, seg_->codes.size(), cpw_);
    result_.name = seg_->name;
    result_.variant = shape().name;
    result_.decoded.assign(seg_->codes.size(), 0);
    result_.start_cycle = top_.cycles();
    cfg_i_ = in_ = out_ = 0;
    presented_ = driving_ = false;  // signals are written by tick() only (one driver)
    phase_ = Phase::kConfig;
  }

  void add_trace(TraceFile* tfp) override {
#if ANVIL_HAVE_RTL
    enc_.trace(tfp, 99);
    dec_.trace(tfp, 99);
#else
    (void)tfp;
#endif
  }

  void final_models() override {
    enc_.final();
    dec_.final();
  }

 private:
  enum class Phase { kIdle, kConfig, kStream };

  // The ports the encoder and decoder have alike: clock, reset, cfg write port and the
  // valid/ready handshakes of both streams (only their data ports differ).
  template <class M, class Addr, class Data>
  static void bind_control(M& m, sc_core::sc_signal_in_if<bool>& clk,
                           sc_core::sc_signal<bool>& rst_n, sc_core::sc_signal<bool>& cfg_we,
                           sc_core::sc_signal<Addr>& cfg_addr, sc_core::sc_signal<Data>& cfg_wdata,
                           sc_core::sc_signal<bool>& valid_i, sc_core::sc_signal<bool>& ready_o,
                           sc_core::sc_signal<bool>& valid_o, sc_core::sc_signal<bool>& ready_i) {
    m.clk_i(clk);
    m.rst_ni(rst_n);
    m.cfg_we_i(cfg_we);
    m.cfg_addr_i(cfg_addr);
    m.cfg_wdata_i(cfg_wdata);
    m.valid_i(valid_i);
    m.ready_o(ready_o);
    m.valid_o(valid_o);
    m.ready_i(ready_i);
  }

  void tick() override {
    if (phase_ == Phase::kIdle) return;
    if (phase_ == Phase::kConfig) {
      const size_t n = std::max(enc_cfg_.size(), dec_cfg_.size());
      if (cfg_i_ < n) {
        drive_cfg(enc_cfg_, cfg_i_, enc_cfg_we_, enc_cfg_addr_, enc_cfg_wdata_);
        drive_cfg(dec_cfg_, cfg_i_, dec_cfg_we_, dec_cfg_addr_, dec_cfg_wdata_);
        ++cfg_i_;
        return;
      }
      enc_cfg_we_.write(false);
      dec_cfg_we_.write(false);
      phase_ = Phase::kStream;
    }
    stream();
  }

  // Write i of `w` on one cfg port (write enable low once the list is done).
  template <class Addr, class Data>
  static void drive_cfg(const CfgWrites& w, size_t i, sc_core::sc_signal<bool>& we,
                        sc_core::sc_signal<Addr>& addr, sc_core::sc_signal<Data>& data) {
    we.write(i < w.size());
    if (i >= w.size()) return;
    Addr a{};
    Data d{};
    set_bits(a, 0, 32, w[i].addr);
    set_bits(d, 0, 32, w[i].data);
    addr.write(a);
    data.write(d);
  }

  // One clock edge of the streaming phase: every step reads the values before the edge.
  void stream() {
    const size_t n = seg_->codes.size();
    const bool dec_ready = dec_ready_o_.read();
    // Collector: the decoder's output register is taken at this edge (ready_i is 1).
    if (dec_valid_o_.read() && out_ < n) {
      const uint64_t raw = get_bits(code_o_.read(), 0, code_bits_);
      const uint64_t sign = uint64_t{1} << (code_bits_ - 1);
      result_.decoded[out_++] =
          static_cast<int32_t>(static_cast<int64_t>(raw ^ sign) - static_cast<int64_t>(sign));
    }
    // Decoder side: the presented FIFO head was taken at this edge if the decoder was ready.
    if (presented_ && dec_ready) bridge_.pop();
    // Encoder side: the encoder's output weight was taken at this edge if ready_i was high.
    if (enc_valid_o_.read() && enc_ready_i_.read() && !bridge_.all_taken()) {
      const Dac dac = dac_o_.read();
      uint16_t* cells = bridge_.next_weight();
      for (uint32_t c = 0; c < cpw_; ++c)
        cells[c] =
            static_cast<uint16_t>(get_bits(dac, c * ANVIL_COSIM_DAC_BITS, ANVIL_COSIM_DAC_BITS));
      if (!bridge_.push()) {
        phase_ = Phase::kIdle;
        return;
      }
    }
    present_head();
    // Registered ready: room for one more weight next cycle.
    enc_ready_i_.write(bridge_.has_room());
    drive_code();
    if (out_ == n) {
      phase_ = Phase::kIdle;
      result_.cycles = top_.cycles() - result_.start_cycle;
      top_.segment_done(std::move(result_));
    }
  }

  // The FIFO head on the decoder's input (held until taken).
  void present_head() {
    presented_ = !bridge_.empty();
    if (presented_) {
      Adc adc{};
      const std::span<const uint16_t> cells = bridge_.head();
      for (uint32_t c = 0; c < cpw_; ++c)
        set_bits(adc, c * ANVIL_COSIM_ADC_BITS, ANVIL_COSIM_ADC_BITS, cells[c]);
      adc_i_.write(adc);
    }
    dec_valid_i_.write(presented_);
  }

  // Driver: the encoder took the presented code at this edge when it was ready.
  void drive_code() {
    const size_t n = seg_->codes.size();
    if (driving_ && enc_ready_o_.read()) ++in_;
    driving_ = in_ < n;
    if (driving_) {
      Code code{};
      set_bits(code, 0, code_bits_, static_cast<uint64_t>(static_cast<int64_t>(seg_->codes[in_])));
      code_i_.write(code);
    }
    enc_valid_i_.write(driving_);
  }

  cosim_top& top_;
  ArrayBridge& bridge_;
  Enc enc_;
  Dec dec_;
  sc_core::sc_signal<bool> enc_cfg_we_{"enc_cfg_we"}, dec_cfg_we_{"dec_cfg_we"};
  sc_core::sc_signal<EncAddr> enc_cfg_addr_{"enc_cfg_addr"};
  sc_core::sc_signal<EncData> enc_cfg_wdata_{"enc_cfg_wdata"};
  sc_core::sc_signal<DecAddr> dec_cfg_addr_{"dec_cfg_addr"};
  sc_core::sc_signal<DecData> dec_cfg_wdata_{"dec_cfg_wdata"};
  sc_core::sc_signal<bool> enc_valid_i_{"enc_valid_i"}, enc_ready_o_{"enc_ready_o"};
  sc_core::sc_signal<bool> enc_ready_i_{"enc_ready_i"};
  sc_core::sc_signal<bool> enc_valid_o_{"enc_valid_o"};
  sc_core::sc_signal<bool> dec_valid_i_{"dec_valid_i"}, dec_ready_o_{"dec_ready_o"};
  sc_core::sc_signal<bool> dec_valid_o_{"dec_valid_o"}, dec_ready_i_{"dec_ready_i"};
  sc_core::sc_signal<Code> code_i_{"code_i"};
  sc_core::sc_signal<Dac> dac_o_{"dac_o"};
  sc_core::sc_signal<Adc> adc_i_{"adc_i"};
  sc_core::sc_signal<CodeOut> code_o_{"code_o"};

  Phase phase_ = Phase::kIdle;
  const CosimSegment* seg_ = nullptr;
  CfgWrites enc_cfg_, dec_cfg_;
  uint32_t cpw_ = 0, code_bits_ = 1;
  CosimSegmentResult result_;
  size_t cfg_i_ = 0, in_ = 0, out_ = 0;
  bool presented_ = false, driving_ = false;
};

std::unique_ptr<CosimLane> make_lane(const VariantShape& v, cosim_top& top) {
  const std::string name = std::string("lane_") + v.name;
#define ANVIL_VARIANT_LANE(n, l, k, r, s, sr, c) \
  if (std::strcmp(v.name, #n) == 0)              \
    return std::make_unique<RtlAdapter<Vcosim_enc_##n, Vcosim_dec_##n>>(name.c_str(), v, top);
  ANVIL_COSIM_FOR_EACH_VARIANT(ANVIL_VARIANT_LANE)
#undef ANVIL_VARIANT_LANE
  (void)top;
  throw Error("cosim", "variant", std::string("no lane for ") + v.name);
}

}  // namespace

std::string cosim_unsupported(const core::CodecParams& p) {
  if (kNumVariants == 0) return "this build has no Verilated RTL (rtl/weight_*.sv missing)";
  try {
    core::validate(p, "codec");
  } catch (const Error& e) {
    return e.what();
  }
  if (p.dac_bits > ANVIL_COSIM_DAC_BITS)
    return "dac_bits " + std::to_string(p.dac_bits) + " > " + std::to_string(ANVIL_COSIM_DAC_BITS) +
           " (ANVIL_COSIM_DAC_BITS)";
  if (p.adc_bits > ANVIL_COSIM_ADC_BITS)
    return "adc_bits " + std::to_string(p.adc_bits) + " > " + std::to_string(ANVIL_COSIM_ADC_BITS) +
           " (ANVIL_COSIM_ADC_BITS)";
  if (p.shape.combine == core::Combine::kMean && p.shape.replicas > 1 &&
      p.soft_frac_bits > ANVIL_COSIM_SOFT_FRAC_BITS)
    return "soft_frac_bits " + std::to_string(p.soft_frac_bits) + " > " +
           std::to_string(ANVIL_COSIM_SOFT_FRAC_BITS);
  if (p.shape.combine == core::Combine::kMl && p.shape.replicas > 1) {
    try {
      core::validate_rtl(p, "codec");
    } catch (const Error& e) {
      return e.what();
    }
  }
  if (!find_variant(p))
    return "no Verilated variant for " + describe(p) +
           " (add a row to systemc/cosim_variants.cmake)";
  return "";
}

std::vector<std::string> cosim_variants() {
  std::vector<std::string> out;
  for (size_t i = 0; i < kNumVariants; ++i) {
    const VariantShape& v = kVariants[i];
    out.push_back(
        std::string(v.name) + ": L=" + std::to_string(v.levels) + " k=" + std::to_string(v.split) +
        " r=" + std::to_string(v.replicas) + " sign=" +
        (v.sign_cell ? "yes sign_replicas=" + std::to_string(v.sign_replicas) : std::string("no")) +
        " combine=" +
        (v.combine == kCombineMean ? "mean"
         : v.combine == kCombineMl ? "ml"
                                   : "median"));
  }
  return out;
}

const char* cosim_trace_format() {
  return ANVIL_COSIM_TRACE_FST ? "fst" : "vcd";
}

bool cosim_available() {
  return kNumVariants > 0;
}

cosim_top::cosim_top(sc_core::sc_module_name name, const core::Cell& cell,
                     const core::RandomStream& noise, std::span<const CosimSegment> segments,
                     const CosimOptions& options, PcmArrayConfig array_config)
    : sc_module(name),
      rst_n("rst_n", false),
      segments_(segments),
      options_(options),
      period_(options.clock_period_ns, sc_core::SC_NS),
      high_(period_ / 2),  // 50 % duty, as sc_clock
      pulse_(options.trace_file.empty()),
      array_("array", cell, noise, std::move(array_config)),
      bridge_("bridge", array_.storage(), [this](std::string msg) { fail(std::move(msg)); }) {
  bridge_.mem.bind(array_.socket);
  for (size_t i = 0; i < segments_.size(); ++i) {
    const CosimSegment& s = segments_[i];
    const std::string why = cosim_unsupported(s.params);
    require(why.empty(), "cosim", "segment '" + s.name + "'", why);
    const VariantShape* v = find_variant(s.params);
    CosimLane* lane = nullptr;
    for (auto& l : lanes_)
      if (std::strcmp(l->shape().name, v->name) == 0) lane = l.get();
    if (!lane) {
      lanes_.push_back(make_lane(*v, *this));
      lane = lanes_.back().get();
    }
    lane_of_segment_.push_back(lane);
  }
  SC_METHOD(drive_clock);  // initialised: the first rising edge is at time 0
  SC_METHOD(on_clock);
  sensitive << rising_;
  dont_initialize();
}

// Idle lanes' models see no clock edges (clock gating): their registers sit in the idle
// state a segment leaves them in (valid flags low, inputs still), which further edges would
// not change, and evaluating them at every edge cost more than the active lane itself. All
// lanes are clocked during reset. on_clock runs in the delta cycle after the rise, with the
// models' rising-edge evaluation, as processes sensitive to one shared clock would.
//
// The RTL uses rising edges only. Without waves the clock falls in the delta cycle after the
// rise (on_clock lowers it), together with the inputs written at the edge, so a cycle is one
// timed step and two evaluations per model instead of two steps and three; with waves it
// keeps a 50 % duty so that the waves show it. Edges, cycles and TLM times are the same.
void cosim_top::drive_clock() {
  clk_high_ = pulse_ || !clk_high_;
  const bool resetting = cycles_ < options_.reset_cycles;  // edges 1 .. reset_cycles
  for (auto& l : lanes_) l->clock(clk_high_ && (resetting || l.get() == active_));
  if (clk_high_) rising_.notify(sc_core::SC_ZERO_TIME);
  sc_core::next_trigger(pulse_ ? period_ : clk_high_ ? high_ : period_ - high_);
}

cosim_top::~cosim_top() = default;

void cosim_top::on_clock() {
  if (pulse_)
    for (auto& l : lanes_) l->clock(false);
  ++cycles_;
  if (cycles_ == options_.reset_cycles) rst_n.write(true);
  if (cycles_ == uint64_t{options_.reset_cycles} + 1 && next_segment_ == 0) start_next();
  // The active lane's edge. A lane begun during it (segment_done) starts at the next edge.
  if (active_) active_->tick();
}

void cosim_top::start_next() {
  if (next_segment_ >= segments_.size()) {
    active_ = nullptr;
    next_segment_ = segments_.size() + 1;
    sc_core::sc_stop();
    return;
  }
  const size_t i = next_segment_++;
  const CosimSegment& seg = segments_[i];
  core::CodecParams params = seg.params;
  std::vector<uint32_t> reference_adc;
  const CosimReferences& ref = seg.references;
  // Reference cells first, programmed and read like weights; then the decoder tables fitted
  // from their ADC codes, as the controller would.
  if (!ref.dacs.empty()) {
    std::vector<uint16_t> adc(ref.dacs.size());
    if (!bridge_.store_run(ref.base_cell, ref.dacs, adc)) return;  // fail() stopped the run
    reference_adc.assign(adc.begin(), adc.end());
    params = ref.tables(reference_adc);
  }
  active_ = lane_of_segment_[i];
  active_->begin(i, std::move(params), std::move(reference_adc));
}

void cosim_top::segment_done(CosimSegmentResult result) {
  results_.push_back(std::move(result));
  start_next();
}

void cosim_top::fail(std::string msg) {
  if (error_.empty()) error_ = std::move(msg);
  active_ = nullptr;
  sc_core::sc_stop();
}

sc_core::sc_time cosim_top::time_budget() const {
  uint64_t cycles = uint64_t{options_.reset_cycles} + 16;
  for (const auto& s : segments_)
    cycles += s.codes.size() + 3 * (uint64_t{1} << s.params.adc_bits) + s.params.shape.levels + 64;
  return period_ * static_cast<double>(2 * cycles);
}

void cosim_top::open_trace(const std::string& file) {
#if ANVIL_HAVE_RTL
  trace_ = std::make_unique<Trace>();
  trace_->file = std::make_unique<TraceFile>();
  for (auto& l : lanes_) l->add_trace(trace_->file.get());
  trace_->file->open(file.c_str());
  require(trace_->file->isOpen(), file, "trace", "cannot open the waveform file for writing");
#else
  (void)file;
#endif
}

void cosim_top::finish() {
  for (auto& l : lanes_) l->final_models();
#if ANVIL_HAVE_RTL
  if (trace_ && trace_->file) {
    trace_->file->flush();
    trace_->file->close();
  }
#endif
}

}  // namespace anvil::cosim
