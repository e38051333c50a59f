UPDATE plans SET state = $2, plan = $3 WHERE id = $1
