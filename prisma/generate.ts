// postinstall: generate the SQLite and the PostgreSQL Prisma clients.
import { generateClients } from "./migrate";

generateClients();
