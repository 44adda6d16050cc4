/*
 * ratio_agg.c
 *		kpi.share(boolean) and kpi.sum(kpi.ratio): aggregates whose state is
 *		a kpi.ratio itself, so partial states travel as ordinary values
 *		(parallel workers, Citus workers) and combine by pooling.
 */
#include "postgres.h"

#include "fmgr.h"

#include "ratio.h"

/*
 * The state to update: the aggregate's own state, in place, when called as
 * an aggregate (the executor keeps it in the aggregate's memory context);
 * otherwise a fresh copy, so a direct call never changes its argument.
 */
static Ratio *
writable_state(FunctionCallInfo fcinfo, int argno)
{
	Ratio	   *r;

	if (!PG_ARGISNULL(argno) && AggCheckCallContext(fcinfo, NULL))
		return PG_GETARG_RATIO_P(argno);

	r = (Ratio *) palloc0(sizeof(Ratio));
	if (!PG_ARGISNULL(argno))
		*r = *PG_GETARG_RATIO_P(argno);
	return r;
}

/*
 * Transition of kpi.share(boolean): every input row counts in the state,
 * so a group of only NULLs yields 0/0 (like count(b) = 0); a NULL input
 * adds nothing; true adds one to both counts, false to the denominator.
 */
PG_FUNCTION_INFO_V1(ratio_share_trans);
Datum
ratio_share_trans(PG_FUNCTION_ARGS)
{
	Ratio	   *state;

	if (PG_ARGISNULL(1))
	{
		if (!PG_ARGISNULL(0))
			PG_RETURN_DATUM(PG_GETARG_DATUM(0));
		PG_RETURN_RATIO_P(writable_state(fcinfo, 0));
	}
	state = writable_state(fcinfo, 0);
	ratio_add_into(state, PG_GETARG_BOOL(1) ? 1 : 0, 1);
	PG_RETURN_RATIO_P(state);
}

/*
 * Transition and combine function of kpi.sum and combine function of
 * kpi.share: pool two ratios.  Declared STRICT, so the executor takes the
 * first non-NULL input as the state and skips NULL inputs.
 */
PG_FUNCTION_INFO_V1(ratio_sum_trans);
Datum
ratio_sum_trans(PG_FUNCTION_ARGS)
{
	Ratio	   *state = writable_state(fcinfo, 0);
	Ratio	   *value = PG_GETARG_RATIO_P(1);

	ratio_add_into(state, value->numerator, value->denominator);
	PG_RETURN_RATIO_P(state);
}
