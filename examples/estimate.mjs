// Example: price a workload before deploying it, with the SDK imported as a package.
//   node examples/estimate.mjs [PROJECT_DIR]      (make one with: dsdn init --template batch my-job)
import { connect } from "dsdn/sdk";

const dir = process.argv[2] ?? ".";
// connect() contacts nothing until a method needs it: estimate runs offline.
const dsdn = await connect({ coordinator: process.env.COORDINATOR_URL });
const e = await dsdn.estimate({ target: dir });
console.log(
  JSON.stringify({
    class: e.classification.class,
    fuel: e.classification.fuelUsed,
    replicas: e.spec.replicas.value,
    priceUnusa: e.total.toString(),
  }),
);
