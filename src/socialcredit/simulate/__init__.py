"""The policy simulator: what would a candidate handbook do to this population, compared with the baseline?"""

from socialcredit.simulate.outcomes import Population
from socialcredit.simulate.partitioned import PartitionedPopulation
from socialcredit.simulate.report import Options, simulate

__all__ = ["Options", "PartitionedPopulation", "Population", "simulate"]
