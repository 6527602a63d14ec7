"""Signals the planning app sends, for higher apps (the chat robot) to connect to in their
AppConfig.ready()."""

from django.dispatch import Signal

# Sent once per team, KPI, period and threshold when members are behind pace, with
# team=Team, kpi=KPI, start=date, end=date, threshold=int (50, 90 or 100),
# label=str (the period: "2027-04", "2027 Q2" or "2027"),
# behind=list[planning.pace.Behind], managers=list[User].
pace_alert = Signal()
