# Summaries, their feedback and practices hold history and only their authors change what they
# say (teams.access): nothing of them is registered in the Django admin, as for weekly reports.
