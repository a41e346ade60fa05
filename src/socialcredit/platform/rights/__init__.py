"""Subject rights: inquiries, notices, objections, repair, share codes and the data copy."""
