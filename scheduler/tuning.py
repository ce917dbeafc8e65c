"""Every decision constant of the solver, in one place, with the measurement behind it.

Each is a choice, not a fact of the problem: how large a model to build, how to share the
time limit, how large a neighbourhood to reopen. Modules read them here at the moment they
decide (`tuning.PARTS_SHARE`), so a test or an experiment can change one for a run.
Figures are on the 2-core benchmark machine (bench/results.md) unless said otherwise.
"""

# --- Which search: the whole model, the race, or the parts (scheduler.solver) ----------

# Above this many eligible (person, case, slot) options, one CP-SAT model of the whole
# scenario does not even finish presolve within a minute on two cores.
WHOLE_MODEL_OPTIONS = 40_000
# Up to this many, the whole model alone: every family of 500 x 80 (1,000 to 4,900
# options) was proven optimal in under 2 s. Between the two, the whole model races the
# search by parts: on 2,000 x 300 in 30 s the parts came within 0.04 to 1.3 % on seven
# families where the whole model alone stayed 2.5 to 20 % away, and on the tight family
# the whole model proved the priority that the parts could not.
SMALL_MODEL_OPTIONS = 8_000
# Between the two, the whole model is built before the search starts, at about this much
# per option (3.6e-5 to 4.3e-5 on dense, standard, tight and large-teams 1,500 to 2,000
# people: 0.55 to 1.16 s), and races only where that takes at most RACE_BUILD_SHARE of the
# time the search has: a 1 s solve of dense 1,500 x 250 spent 1.9 s building a model
# that never ran, and ended at 2.9 s.
BUILD_SECONDS_PER_OPTION = 4e-5
RACE_BUILD_SHARE = 0.2

# --- How the time limit is shared (scheduler.solver) -----------------------------------

# Before any search, the mandatory and pinned cases alone are asked whether they can be
# met together: a share of the limit, at most this long (two mandatory cases competing for
# one person took 12 s to prove on a 1,500-person province, searched whole; alone, ms).
MUSTS_SHARE = 0.25
MUSTS_SECONDS = 2.0

# Share of the time limit kept for explaining unstaffed cases (CP-SAT cores), at most
# EXPLAIN_MAX_SECONDS; counting explanations are given for every case however long they
# take. Explanations took 0.7 s on 2,000 x 300 and 2.0 s on 4,000 x 700.
EXPLAIN_SHARE = 0.05
EXPLAIN_MAX_SECONDS = 10.0
# ... or this much per case the start leaves unstaffed, if more (at most half the limit):
# counting reasons (as codes with parameters) took 0.8 to 2.2 ms a case (tight 2,000 x
# 300: 186 cases in 0.14 s; dense and tight 4,000 x 700: 193 in 0.36 s, 338 in 0.74 s),
# and a reason from an infeasible core more
# (16 cores of tight took 2.2 s, cut short at the time limit). With the share alone a
# 20 s solve there overran by 1 to 3.5 s.
EXPLAIN_SECONDS_PER_CASE = 0.002
# Time kept for counting what each case must cost at least (scheduler.bounds.alone), per
# eligible option, where the search by parts runs. Counted with numpy a case at a time, it
# took 0.4 to 1.6 us an option on 13 provinces of 13,000 to 1.7 million options (up to 5.4
# on small ones, where it is milliseconds).
COUNTING_SECONDS_PER_OPTION = 1e-6
# ... or this share of the time eligibility took in the same solve, if more: on the same
# provinces counting took 0.37 to 0.57 times as long as eligibility.
COUNTING_SHARE_OF_ELIGIBILITY = 0.7
# Time kept for writing the roster out, per team member: 0.17 to 0.27 s for the 2,882
# members of dense 4,000 x 700, which had pushed its 2 s what-ifs to 2.16 s.
ROSTER_SECONDS_PER_MEMBER = 0.0001
# The most of the search the parts (scheduler.bounds.parts) may take. Within it a part
# starts only if the pace measured on the parts before it says it can finish. In a 60 s
# solve of standard 4,000 x 700 the parts took 33 s, all but one proven. Their teams make
# the roster's priority and their proofs its bound: with 0.75 rather than 0.6 (one worker,
# repeatable, 60 s at 4,000 x 700, 30 s at 2,000 x 300), dense seeds 1 and 3 staffed 1 more
# priority each, dense 2,000 x 300 cost 0.8 % less, gaps fell on six of eight provinces of
# six families (skewed seed 2 14.2 to 8.0 %, dense seed 1 45 to 32 %), and skewed seed 1
# cost 3.2 % more; the other five at 2,000 x 300 and travel-caps were the same. With 0.45,
# dense seed 1 staffed 8 less, and skewed and tight cost more. The parts end sooner where
# compose would have less than COMPOSE_SHARE (and the relaxation its reserve): so ended,
# against 0.6, dense seed 1 staffed 1 more, skewed and standard seed 1 cost 0.4 and 0.1 %
# less, tight 0.03 % more; with 2 workers dense staffed 1,370 (1,344 unguarded).
PARTS_SHARE = 0.75
# Where the parts ran, time kept for the bound on staffed priority from the whole
# province (scheduler.bounds.relaxation), per eligible option, and at most this share of
# the time limit: writing and solving its program took 4.9 to 5.1 s for the 246,000
# options of dense 4,000 x 700 (seeds 1 and 2), 1.2 s for the 95,000 of scarce.
RELAXATION_SECONDS_PER_OPTION = 2.5e-5
RELAXATION_MAX_SHARE = 0.1
# A program that would take more than this many times the most it may have is not written
# at all (its writing stops at the time limit in any case): the 1.36 million options of a
# 3,500 x 550 province whose cases were open to 2,500 people each took 27 s to write and
# solve, in a 60 s solve that had kept 6 s for it.
RELAXATION_MAX_OVERRUN = 2.0
# ... and only when, after putting the parts' teams together, the roster staffs at most this
# share less than the parts' bound: dense 4,000 x 700 and scarce and travel-caps (seed 2)
# were 0.2 to 1.5 % short, and the relaxation proved their rosters' priority or 1 more;
# growth 8,000 x 1,400 was 4 % short, and staffed 31 less in the run whose search gave the
# relaxation its 6 s.
RELAXATION_SHORT_SHARE = 0.02
# The relaxation states home staffing on the days at most this many of an office could
# be away: on 250 x 40 provinces of the tight family that took its bound from 19, 21
# and 17 to 11, 18 and 15 (the best rosters staff 9, 9 and 7), as all checks did but
# one; with every check, its program for dense 4,000 x 700 had 1.3 million rows and did
# not solve in 20 s.
RELAXED_HOME_PEOPLE = 5
# Of the relaxation's reserve, what its second program takes (where the parts may fall
# short of their highest at the roster's priority, `Relaxation.most_shed`): on dense
# 4,000 x 700 it took 1.0 s after the first (writing 2.1 s, solving 2.3 s).
SHED_SHARE = 0.25
# ... and it is not asked with less than this left: on dense 4,000 x 700 it took 1.0 s,
# and with less it would end at its limit having proven nothing.
SHED_LEAST_SECONDS = 0.1
# The most of the search putting the parts' teams together may take (7 s of a 60 s solve
# of standard 4,000 x 700; 14 s on the dense family, with 145 clashing cases).
COMPOSE_SHARE = 0.25
# Compose re-solves the cases whose teams clashed unless more than this many clash and
# they are more than this share of the province: hundreds of cases competing for the same
# people make one model that does not beat the teams it starts from, and the search has
# the time instead. Provinces of mostly provincial cases starting within days
# (`--workers 2`): on 4,000 x 700, 527 and 615 clashed (75 and 88 %; 25,000 and 32,000
# options on their nearest people), and the re-solve staffed 57 and 56 priority less than
# its start in 9 s, 3 and 2 less in 22 to 28 s (120 and 150 s solves); on 3,000 x 500,
# about 420 (84 %; 21,000 options), it won 27 on one province and lost 15 on another.
# Left to the search, the 60 s rosters staffed 2 to 15 more on the three 4,000 x 700
# ones (six runs) and -2 to +25 on the two 3,000 x 500 ones (four runs). Fewer, the
# re-solve pays: on 2,000 x 300 (30 s), 232 of 300 clashed and it won 29 in 4.5 s,
# and without it the rosters staffed 3 and 5 less; on 1,000 x 150, 106 of 150, and 11 and
# 16 less (at 188 of 300 on another 2,000 x 300, 6 and 12 more). A smaller share: on
# growth 8,000 x 1,400, 466 of 1,400 (33 %, 20,700 options) clash in pairs of cities,
# and the re-solve won 23 in 5.5 s; on dense 4,000 x 700, 207 of 700, 30.
COMPOSE_MOST_CLASHED = 300
COMPOSE_MOST_CLASHED_SHARE = 0.5
# What of its time compose leaves to the polish after it, which swaps on every team and to
# anyone eligible (compose's model offers each case its nearest people): on dense
# 4,000 x 700, whose compose runs to the end of its share, that polish took 0.6 s and
# 2,850 off the roster.
COMPOSE_POLISH_SHARE = 0.1
# How many cheaper people, busy on another team at the time, a polish swap tries to take
# from that team (`search.polish`), the cheapest first: each try scans the other team's
# candidates once, and a member of a crowded province has many such people.
STEALS_TRIED = 4
# Of compose's time, what its cost phase leaves to mending the roster where its priority
# phase left cases waiting (`scheduler.search.compose.waiting`, `scheduler.search.lns.mend`):
# on dense 4,000 x 700 (seed 5), mending won the 2 priority compose had left out in 1 s
# of the 2.6 s kept, and the gap went from 14.8 to 3.7 %. Where nothing waits (dense seeds
# 1 and 9, skewed seed 1, standard, tight), compose keeps all its time; where mending wins
# nothing (skewed seed 4, 0.3 s), the rest goes to the rival pairs and the search.
COMPOSE_MEND_SHARE = 0.2
# The most a re-plan spends re-solving the teams its change broke, before widening: a
# command center asks what-ifs in seconds.
REPAIR_SECONDS = 1.0
# ... and at least this much, past the deadline if it has gone, when the builder left a
# broken team unstaffed: on a loaded machine the eligibility pass and keeping the previous
# teams took 2.9 s of a 2 s what-if of dense 4,000 x 700, and with no repair at all the
# re-plan lost 16 of its 1,339 priority. (Teams the builder mended are only made cheaper:
# on a province of 1.8 million options, that forced 0.3 s took a 2 s what-if to 2.5 s.)
REPAIR_LEAST_SECONDS = 0.3
# A re-plan given a time limit of at least this long solves the parts too (their share of
# its search), for the bound they give; shorter, it bounds by counting alone and spends
# every second around its change. What-ifs are asked in 2 s and sweeps' re-plans in
# 0.5 s, and neither should pay for a bound. (Compared first with the search's own time,
# 1 to 1.5 s less than the limit, a 10 s or 11 s re-plan solved no parts.)
REPLAN_PARTS_SECONDS = 10.0
# ... and the share of that search the parts get, after the search around the change.
REPLAN_PARTS_SHARE = 0.6
# A re-plan whose change broke at most this share of the previous roster's teams starts
# from the repaired roster without building the greedy and rarest-first rosters.
SMALL_CHANGE_SHARE = 0.1

# --- CP-SAT's two phases (scheduler.search.phases) --------------------------------------

# The most of a time limit the priority phase may take before the cost phase starts. It
# matters only where the priority is not proven sooner: dense 4,000 x 700's parts, whose
# teams make up the roster's priority (with one worker in 60 s, 3 of 135 proven). With
# 0.7 rather than 0.5, one worker, repeatable: dense seeds 1 and 3 staffed 1,364 and 1,268
# instead of 1,359 and 1,267; the same rosters on eight provinces of five families at
# 2,000 x 300 and 4,000 x 700 whose priority phases end sooner.
PRIORITY_SHARE = 0.7
# The most of the cost phase that working out a hinted roster's derived variables may take
# (`scheduler.search.phases.completed_hint`): on compose's model of dense 4,000 x 700
# (23,000 variables) it took 0.18 s of 11; on a model CP-SAT cannot presolve in that time,
# the places alone are hinted, as before.
HINT_SHARE = 0.2
# Full-problem subsolvers, best first. The bound on cost comes from the LP relaxation: with
# max_lp (linearization level 2) the Hulunbuir cost is proven optimal in under half a
# second, where CP-SAT's default two-worker portfolio did not finish the proof in 30 s
# (bench/portfolio.py). On 2,000 x 300 the default portfolio's bound was 51,118 against
# max_lp's 65,859 (large-teams family, 30 s), and four workers did no better.
PORTFOLIO = ("max_lp", "default_lp", "quick_restart", "core", "no_lp", "fixed")

# The priority phase presolves once and does not probe. CP-SAT's default (3 rounds with
# probing) took 1.1 to 2.1 s of the 1.6 to 3.1 s a part of dense 4,000 x 700 needed to
# prove its priority; with one round and no probing, 0.9 to 1.9 s in all.
PRESOLVE_ITERATIONS = 1
PROBING_LEVEL = 0
# The parts (and their merges, resumes and lower levels), each a small model on one
# worker, are searched so in both phases, with neither symmetry detection nor SAT
# inprocessing (`search.phases.light_proof`). Each part solved alone with at most 15 s,
# the parts of 6 to 40 cases of dense 4,000 x 700 took 57.0 s in all with CP-SAT's
# defaults in the cost phase and 35.2 s so, every one proven either way; skewed seed 4's
# 28 parts 48.1 and 33.8 s (one more proven), scarce seed 1's 20.2 and 14.0 s, tight seed
# 1's 21.1 and 20.6 s. Without presolve at all, dense's took 264 s, 11 left unproven.
PART_PROOF_INPROCESSING = False

# --- The parts (scheduler.bounds.parts, scheduler.search.regions) -----------------------

# A part with more eligible options than this is solved one case at a time: as one model
# the provincial unit's 22 cases of 4,000 x 700 (33,675 options) took 34 s, one at a time
# 13 s, with the same least cost.
PER_CASE_OPTIONS = 20_000
# A part with more than this many is solved in pieces of about this size, cut by start
# date (cases far apart in time rarely compete). Whole, the largest cities of dense
# 4,000 x 700 (12,000 to 18,000 options) got 4 to 5 s each and proved neither their
# priority nor their cost. In 60 s on 4,000 x 700, gaps whole / in pieces of 9,000 /
# 5,000 / 3,000: standard seed 1 2.75 / 0.29 / - / - %; skewed seed 2 6.73 / 1.23 /
# 1.75 / 4.94 %; dense seed 3 11.53 / 5.42 / 2.91 / 2.08 %; dense seed 1 staffed 1,328 to
# 1,370 of 1,372 in five runs whole, 1,351 to 1,367 at 9,000, and 1,372 (gap 23.4 %, from
# 30.9 % in the benchmark) at 5,000. At 3,000, skewed seed 1 no longer proved its
# priority (905 for 904), and its gap went to 9.8 %.
PART_SPLIT_OPTIONS = 5_000
# Parts left unproven get a second try with the time the others left over, if at least
# this much is left (or what the pace of the first says the second needs, if less): on
# no-road 4,000 x 700, 4 of the 34 s for the parts were left over while 7 of the 16
# parts had proven little more than a trivial cost bound.
PART_RETRY_SECONDS = 1.0
# The single cases put off by the parts (`solve_parts` without singles: none was left to
# run beside a part of many) are solved after the first round, before any part's second
# try, in this share of the parts' time left (`scheduler.bounds.parts._put_off_solved`).
PUT_OFF_SINGLES_SHARE = 0.5
# After the search, parts left unproven are resumed (`scheduler.bounds.parts.
# resumed_unproven`), each with a share of the time as large as its share of what their
# teams cost above their bounds; a share below this is not tried: writing the models of
# the largest parts of dense 4,000 x 700 took 0.08 to 0.25 s, and a part 3 from its bound
# would have had 0.01 s.
RESUME_LEAST_SECONDS = 0.25
# Where the roster's priority lets a part whose cost was not proven fall
# (`scheduler.bounds.parts.with_lower_levels`), CP-SAT bounds its cost at the lower level
# for at most this long the first time it is asked.
FALL_UNPROVEN_SECONDS = 1.0
# A fall cut short is asked again with twice the time it had, in a slice of the split
# (`scheduler.search.split`) made that long, but never longer than this share of the
# search's time left: the roster still has its search to finish.
FALL_MOST_SHARE = 0.5
# Rival parts (scheduler.bounds.coupled) are tried as one only if at least this much of
# the parts' share is left, and each pair gets at least this much: a pair with the
# provincial part of tight 2,000 x 300 proved its priority and cost in 1.9 to 2.2 s.
MERGE_TRY_SECONDS = 1.0
# Where the roster put together staffs the parts' highest priority, the pairs get at least
# this share of the search, taken from the neighbourhoods. There the parts' coupling is
# what keeps the bound below the roster: skewed 4,000 x 700 (60 s, all 52 parts proven)
# ended at a 2.4 % gap with no time for pairs; with 6 s, two pairs raised its bound by
# 1,180 (gap 1.8 %) while the roster, its neighbourhoods 4 s shorter, cost 0.1 % more;
# given 180 s, nine pairs raised it by 2,100, the roster 0.2 % under the 60 s one.
MERGE_SHARE = 0.1
# So too where it staffs at most this share less: a pair may prove that the parts cannot
# staff what each proved alone. Skewed 4,000 x 700, seed 4 (an outside tester's): all 28
# parts proven, the roster 1 short of their 720, gap 11.7 % with no time for pairs; with
# 7 s, the first pair proved 719 the most, and three raised the bound to a gap of 3.7 %.
# Not far short: growth 8,000 x 1,400 staffs 1 % less, and its neighbourhoods staff more.
MERGE_SHORT_SHARE = 0.005
# ... and a part whose teams cost more than this share above what it proved alone is
# tried with its rivals too.
MERGE_LOSS_SHARE = 0.01
# ... with this many times the least time each, for its cost phase.
MERGE_COST_TRY_FACTOR = 3
# Rival pairs of one kind stop being tried after this many in a row proved nothing: the
# time is the search's. On tight 2,000 x 300 the pair that proved less priority was the
# 4th tried, the three that proved more cost the first three; on scarce 4,000 x 700,
# fourteen pairs in a row proved nothing and took 14 s of the search.
MERGE_FAILURES = 6
# After that, the search's time goes in slices of this long to the neighbourhoods or the
# pairs, whichever closed the gap faster in its last slice (scheduler.search.split). Two
# steps of the search. At 60 s on 4,000 x 700, runs of one seed differ by up to 1.5 points
# of gap, so the measured choice is a lean: over two sessions, slices of 4 s against 6 s
# gave skewed s4 3.27 and 3.52 % against 3.97 and 4.26 %, scarce s2 0.98 against 1.48 %,
# dense s9 1.99 and 1.92 against 1.96 and 1.93 %, dense s1 2.23 and 3.36 against 2.67 to
# 2.84 %; slices of 3 s were no better (dense s1 2.22 and 4.48 %).
SPLIT_SLICE_SECONDS = 4.0
# Where no slice won anything last time, and the roster staffs at most this share less
# than the parts' highest priority, the slice goes to whichever has had least time: the
# gap may then be the bound's (parts proving more priority or cost alone than together).
# With ties to the neighbourhoods, tight 2,000 x 300 (30 s, roster optimal at 6 s, 2 short
# of the parts' 303) gave the pairs one slice of five: gaps of 3.01 and 1.53 % (seeds 0
# and 1); alternating, 0.28 and 0.34 % (seed 0), 0.00 and 1.24 % (seed 1), the pairs proving
# that no roster staffs more than 301 and raising the cost bound. Far short, the
# neighbourhoods keep ties: alternating, a province of mostly provincial cases over 20 days
# (the roster 9 % short) staffed 17 less.
SPLIT_FAIR_SHORT_SHARE = 0.02
# A city with more cases is reopened in pieces of cases consecutive in time, so that one
# step stays about as large as the regions of a 4,000 x 700 province (30 to 63 cases).
REGION_CASES = 60

# --- Neighbourhood search (scheduler.search.lns, .neighbourhoods, .compose) -------------

# Cases a neighbourhood starts with, and the most one step may take.
NEIGHBOURHOOD_CASES = 20
STEP_SECONDS = 2.0
# Neighbourhoods reopened side by side, the workers shared among them. A step of 20 to 40
# cases of dense 4,000 x 700 took as long on one CP-SAT worker as on two (1.18 s against
# 1.17 s on average, proven as often); two side by side took 23 steps in 16 s instead of
# 13. At 60 s on two workers, eight 4,000 x 700 provinces ended as cheap or cheaper on
# seven and dearer on dense s1; over repeated runs, dense s2 and s9 about 0.5 % cheaper
# (s9: 163,078 to 162,255 on average), dense s1 0.3 % dearer (176,190 to 176,780).
LNS_LANES = 2
# Neighbourhood sizes, in cases, and the step by which they grow after proven steps or
# shrink after fruitless ones (MAX_CASES also bounds the teams a re-plan's repair takes in).
MIN_CASES, MAX_CASES, SIZE_STEP = 4, 40, 2
# The most a search step grows to while CP-SAT proves its steps; in practice the step's
# time, STEP_SECONDS, stops it first. Held at MAX_CASES, dense 4,000 x 700 reopened 40
# cases from 48 s of 60 on, proven and rarely improving; let grow, its steps reached 44 to
# 50 cases, where they take their 2 s, and four provinces at 60 s ended cheaper: dense s1
# 176,850 to 176,698, dense s9 163,150 to 160,949, dense s2 173,409 to 172,780, skewed s4
# 157,420 to 157,359 (a run's spread is about 1,200).
GROWN_CASES = 120
# Weight of the latest step in a kind's weight (the rest is its history), and the least
# weight a kind keeps so that it is still tried now and then.
REACTION = 0.2
MIN_WEIGHT = 0.05
# A `costly` seed is drawn from this many teams of the highest excess cost, in proportion
# to it.
COSTLY_POOL = 20
# People per slot a broken case may draw on: the nearest to its venue. Drawing on everyone
# eligible (thousands for the provincial unit's cases), CP-SAT found nothing in 15 s.
NEAREST = 100
# ... or this many times the people a slot or coverage need asks for, if more: a
# large-teams 4,000 x 700 province has slots of up to 43 members, which 40 people could not
# fill afresh.
NEAREST_PER_NEED = 2
# ... and a case whose team clashed when the parts' teams were put together
# (scheduler.search.compose): one model of all of them (207 cases on dense 4,000 x 700)
# whose priority CP-SAT proves and whose cost it then lowers in what is left of its share.
# Its cost comes from CP-SAT's LP: once the root LP and its cuts are done, the first dive
# from them finds a roster within 0.5 % of the model's optimum. With 40 people per slot
# that took 17 s of cost phase (compose had 8); with 20, 6 s, and the model was proven
# optimal in 11 s. At 60 s, two workers: dense s1 174,618 and 174,856 (seeds 0, 1)
# against 175,771 to 177,515 with 40; dense s5 135,904 against 136,009; skewed s4 157,279
# against 157,384; skewed s1 0.1 to 0.2 % dearer (158,242 to 158,452), and scarce s2 0.5 %
# (126,099 to 126,737 and 126,792: compose proves less priority on 20 people, and mending
# and the neighbourhoods win it back at a higher cost); the same rosters
# within 100 on eleven other provinces of five families at 2,000 x 300 and 4,000 x 700, and
# most bounds as high or higher (compose ends sooner and leaves the rival pairs more time:
# dense s10's gap 2.24 to 1.31 %). With 12 and 16, dense s1 as with 20. (Against 100, 40
# had lowered costs 0.2 to 3.4 % on seven provinces; with 300, dense lost 7 priority.)
COMPOSE_NEAREST = 20
# A re-plan re-solves its broken teams on the NEAREST people per slot; for a case that
# loses its team, then again with the teams holding people it could use, on the nearest 40
# (fast), then 100; a broken case the builder could not mend starts at the second
# (scheduler.solver._repair). Scarce 2,000 x 300, busiest person ill: the broken teams
# alone kept 258 of the 266 that can be staffed; with their holders, 265 on 40 people in
# 0.6 s; on everyone eligible, 266 in 3.6 s.
REPAIR_NEAREST = (NEAREST, 40, 100)
# People per slot and per coverage need each case of a step of `mend` or of an
# alternative may draw on (None: everyone eligible); the search's steps draw theirs from
# LNS_WIDTHS. On 4,000 x 700 (60 s), against everyone: tight's search took 31
# steps instead of 16 and cost 107,866 instead of 109,046; with the nearest holders of
# each coverage need too, scarce staffed 831 (its bound) instead of 829.
LNS_NEAREST: int | None = NEAREST
# The search draws each step's people per slot among these, by weights that follow how
# often each has improved the roster lately, as it draws the kind. Where most cases are
# provincial and start within days, each case of a step draws on thousands, and which
# width pays differs by province: 40 alone (60 s, seeds 0 and 1, against 100) staffed 3
# and 19 more on dense 4,000 x 700 s2 with 70 % provincial within 14 days, 3 and 7 more on
# standard s3 with 80 % within 10 days, 18 and 17 less on skewed s1 with 60 % within 20
# days. Drawn, against 100 alone, on 8 runs of such provinces: +22 and +17 on the dense
# one, -11 and -11 on the standard, -1, -10 and +5 on the skewed, -5 on a skewed
# 3,000 x 500 (single runs of the skewed one with 100 alone staffed 1,190 to 1,227, so
# this is within noise); on the benchmark's dense and skewed 4,000 x 700 s1, costs within
# 0.1 % either way, and large-teams and scarce the same.
LNS_WIDTHS: tuple[int, ...] = (40, NEAREST)

# --- Alternatives (scheduler.alternatives) ----------------------------------------------
# Share of the time limit the best roster gets when alternatives are asked for; the rest,
# and whatever a roster proven early leaves, is split among the alternatives. Not
# measured: the best roster is the answer, the alternatives are its options.
ALTERNATIVES_MAIN_SHARE = 0.6
# Above the whole model's size, alternatives reopen this many staffed teams, those costing
# most above what they must cost (where another choice is most likely close), each on the
# LNS_NEAREST people per slot, every other team fixed.
ALTERNATIVE_CASES = NEIGHBOURHOOD_CASES

# --- The work clock of a repeatable solve (scheduler.clock) -------------------------------

# Seconds of work per unit of CP-SAT's deterministic time, and per variable of a model
# each time it is handed to CP-SAT (building it in Python). CP-SAT's wall time was 1.85 to
# 3.0 times its deterministic time in one-worker 30 s solves of tight 2,000 x 300 and
# standard 4,000 x 700. Building took 14 to 17 us a variable there, and most models are
# handed over twice (priority, then cost): at 4e-5 a variable each time, building was
# charged 3.5 to 5 times what it took, and those solves ended after 17 s of their 30. At
# 1.5e-5 they end after 27 and 19 s, dense 4,000 x 700 after 21 s and a province of 1.8
# million options after 28 s, none cut by the wall.
WORK_SECONDS_PER_DETERMINISTIC = 3.3
WORK_SECONDS_PER_VARIABLE = 1.5e-5
# ... and per call, for what every step of the search does around it (choosing the
# neighbourhood, reading the answer): 1.5 ms a call on a three-case scenario.
WORK_SECONDS_PER_CALL = 0.002
# ... and per eligible option and per case: for finding the options and building the
# greedy roster; for ranking each case's options for the rarest-first builds; for each
# build. Charged per option alone, from 4,000 x 700 provinces of 80,000 to 190,000 options,
# a one-worker 10 s solve of a province of 1.7 million options charged 12 s for its 2.6 s
# start and returned the greedy's roster after 4.8 s. A least-squares fit of the time
# against options and cases on 14 provinces (Hulunbuir; 500 x 80 to 4,000 x 700; 1,000 to
# 1.7 million options; every family) came within 0.7 to 1.2 times every start but
# Hulunbuir's 10 ms, and 0.3 to 1.6 times every build:
# - eligibility and the greedy: 1.43 us an option and 0.37 ms a case; with eligibility's
#   rules as arrays (scheduler/instance/roll.py), 0.65 us and 0.37 ms, within 0.9 to 1.4
#   times every start of 16 provinces (1,000 to 2.6 million options) but Hulunbuir's 9 ms;
# - the first build: 5.25 us an option and 0.16 ms a case; the second, with the ranking
#   done: 0.74 us and 0.46 ms. With the menus ranked by arrays, a fit on 14 provinces
#   (1,000 to 1.8 million options) gave 3.14 us and 0.44 ms for the first build (0.8 to
#   1.3 times every build of 50,000 options or more) and 0.89 us and 0.51 ms for the
#   second, so ranking is charged 2.5 us an option (it was 4.5).
WORK_SECONDS_PER_OPTION_STARTED = 6.5e-7
WORK_SECONDS_PER_CASE_STARTED = 4e-4
WORK_SECONDS_PER_OPTION_RANKED = 2.5e-6
WORK_SECONDS_PER_OPTION_BUILT = 1e-6
WORK_SECONDS_PER_CASE_BUILT = 5e-4
# Polish is charged by what it reads: each option it ranks or weighs as a newcomer, each
# member it weighs, and each member of a roster it books. On 28 polishes of greedy and
# rarest-first rosters (Hulunbuir, every family at 2,000 x 300, dense and standard 4,000 x
# 700, 500 to 2,700 members) a least-squares fit gave 1.7 us a read and 60 us a booking,
# within a factor of 2 on all but small polishes of 100 members. It had been charged 26 us
# per eligible option a round, which was right for its first rounds on 13,000 options and
# 30 times too much on 1.7 million: a one-worker solve there had no time for a second round.
WORK_SECONDS_PER_OPTION_POLISHED = 2e-6
WORK_SECONDS_PER_MEMBER_POLISHED = 6e-5
# Each option polish ranks for its menus, by numpy (`costs.cheapest_by_slot`): 0.28 to
# 0.39 us an option on five provinces of 56,000 to 1.8 million options. Charged as reads,
# ranking was 3.5 of the 6.5 s charged for a 2 s polish of 1.7 million options.
WORK_SECONDS_PER_OPTION_MENU = 4e-7
# How far past its time limit the wall clock lets a repeatable solve run before it ends
# it (the roster then may not repeat): a share of the limit, at most this many seconds.
WORK_GRACE_SHARE = 0.5
WORK_GRACE_SECONDS = 3.0
